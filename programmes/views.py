from django.contrib import messages
from django.contrib.messages.views import SuccessMessageMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, ProtectedError, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import CreateView, DeleteView, DetailView, ListView, UpdateView
from django_filters.views import FilterView

from physio.access import ClinicianRequiredMixin
from physio.nplusone import deliberate_loop

from .forms import (
    ExerciseCatalogue,
    ExerciseFilter,
    ExerciseForm,
    ItemForm,
    ProgrammeFilterForm,
    ProgrammeForm,
    ladder_formset_for,
)
from .ladders import ladder_summary
from .models import Exercise, Item, Level, Programme
from .services import (
    duplicate_exercise,
    duplicate_programme,
    move_item,
    next_item_order,
    save_ladder,
    set_archived,
)


class LibraryMixin(ClinicianRequiredMixin):
    """Scopes every library page to what the signed-in clinician may see."""

    model = Exercise

    def get_queryset(self):
        return Exercise.objects.visible_to(self.request.user)


class OwnExerciseMixin(LibraryMixin):
    """Edit and delete: another clinic's exercise is 404, a built-in is read-only (403)."""

    def get_object(self, queryset=None):
        exercise = super().get_object(queryset)
        if exercise.is_built_in:
            raise PermissionDenied
        return exercise


class ExerciseFormMixin:
    form_class = ExerciseForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "clinic": self.request.user.clinic}


class ExerciseListView(LibraryMixin, FilterView):
    filterset_class = ExerciseFilter
    template_name = "programmes/exercise_list.html"
    paginate_by = 20
    context_object_name = "exercises"


class ExerciseDetailView(LibraryMixin, DetailView):
    template_name = "programmes/exercise_detail.html"
    context_object_name = "exercise"


class ExerciseCreateView(LibraryMixin, ExerciseFormMixin, SuccessMessageMixin, CreateView):
    template_name = "programmes/exercise_form.html"
    success_message = gettext_lazy("“%(name)s” was added to your clinic's library.")

    def form_valid(self, form):
        form.instance.clinic = self.request.user.clinic
        form.instance.created_by = self.request.user
        return super().form_valid(form)

    def get_success_url(self):
        return reverse("programmes:exercise-detail", args=[self.object.pk])


class ExerciseUpdateView(OwnExerciseMixin, ExerciseFormMixin, SuccessMessageMixin, UpdateView):
    template_name = "programmes/exercise_form.html"
    success_message = gettext_lazy("Your changes to “%(name)s” were saved.")

    def get_success_url(self):
        return reverse("programmes:exercise-detail", args=[self.object.pk])


class ExerciseDeleteView(OwnExerciseMixin, DeleteView):
    template_name = "programmes/exercise_confirm_delete.html"
    context_object_name = "exercise"
    success_url = reverse_lazy("programmes:exercise-list")

    def form_valid(self, form):
        name = self.object.name
        try:
            self.object.delete()
        except ProtectedError:
            messages.error(
                self.request,
                _("“%(name)s” is used in a programme, so it cannot be deleted.") % {"name": name},
            )
            return redirect("programmes:exercise-detail", pk=self.object.pk)
        messages.success(self.request, _("“%(name)s” was deleted.") % {"name": name})
        return redirect(self.success_url)


class ExerciseDuplicateView(LibraryMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        source = get_object_or_404(self.get_queryset(), pk=pk)
        copy = duplicate_exercise(exercise=source, user=request.user)
        messages.success(
            request,
            _("“%(name)s” is now in your clinic's library. Adjust it and save.")
            % {"name": copy.name},
        )
        return redirect("programmes:exercise-update", pk=copy.pk)


class LadderEditorView(ClinicianRequiredMixin, View):
    """Edit one item's title and ladder. Subclasses name the models and the way back.

    "Add a level" posts the form and comes back with what was typed plus a new
    level copied from the last, so nothing is lost and no JavaScript is needed.
    """

    template_name = "programmes/ladder_form.html"
    item_form_class = ItemForm
    formset_class = None

    def get_item(self):
        raise NotImplementedError

    def get_success_url(self, item):
        raise NotImplementedError

    def get_back_url(self, item):
        return self.get_success_url(item)

    def get_heading(self, item):
        raise NotImplementedError

    def save(self, item, formset):
        save_ladder(item=item, formset=formset)

    def make_formset(self, item, data=None):
        formset = self.formset_class(
            data,
            instance=item,
            queryset=self.formset_class.model.objects.filter(
                **{self.formset_class.fk.name: item.pk}
            )
            .select_related("exercise")
            .order_by("order", "id")
            if item.pk
            else self.formset_class.model.objects.none(),
            form_kwargs={"catalogue": self.catalogue},
            prefix="levels",
        )
        if data is None and not item.pk:
            formset.extra = 1
        return formset

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.is_clinician:
            self.catalogue = ExerciseCatalogue(request.user)
        return super().dispatch(request, *args, **kwargs)

    def render(self, item, item_form, formset, status=200):
        context = {
            "item": item,
            "item_form": item_form,
            "formset": formset,
            "catalogue": self.catalogue,
            "heading": self.get_heading(item),
            "back_url": self.get_back_url(item),
            **self.extra_context_for(item),
        }
        return render(self.request, self.template_name, context, status=status)

    def extra_context_for(self, item):
        return {}

    def get(self, request, *args, **kwargs):
        item = self.get_item()
        return self.render(item, self.item_form_class(instance=item), self.make_formset(item))

    def post(self, request, *args, **kwargs):
        item = self.get_item()
        item_form = self.item_form_class(request.POST, instance=item)
        formset = self.make_formset(item, request.POST)
        if "add_level" in request.POST:
            formset = self.make_formset(item, formset.with_extra_level())
            return self.render(item, item_form, formset)
        # Django checks each level row's id with its own query; a ladder has a handful of rows.
        with deliberate_loop(f"{formset.model._meta.label}.get()"):
            valid = item_form.is_valid() and formset.is_valid()
        if valid:
            self.save(item_form.save(commit=False), formset)
            messages.success(request, _("The ladder was saved."))
            return redirect(self.get_success_url(item))
        return self.render(item, item_form, formset)


class ProgrammeMixin(ClinicianRequiredMixin):
    model = Programme

    def get_queryset(self):
        return Programme.objects.visible_to(self.request.user)


class ProgrammeListView(ProgrammeMixin, ListView):
    template_name = "programmes/programme_list.html"
    context_object_name = "programmes"
    paginate_by = 20

    def get_queryset(self):
        self.filter_form = ProgrammeFilterForm(self.request.GET or None)
        programmes = super().get_queryset().annotate(item_count=Count("items"))
        query, archived = "", False
        if self.filter_form.is_valid():
            query = self.filter_form.cleaned_data["q"].strip()
            archived = self.filter_form.cleaned_data["archived"]
        if query:
            programmes = programmes.filter(
                Q(name__icontains=query) | Q(description__icontains=query)
            )
        if not archived:
            programmes = programmes.active()
        return programmes.select_related("created_by").order_by("name", "id")

    def get_context_data(self, **kwargs):
        return super().get_context_data(filter_form=self.filter_form, **kwargs)


class ProgrammeCreateView(ProgrammeMixin, SuccessMessageMixin, CreateView):
    form_class = ProgrammeForm
    template_name = "programmes/programme_form.html"
    success_message = gettext_lazy("Programme “%(name)s” created. Now add its first item.")

    def form_valid(self, form):
        form.instance.clinic = self.request.user.clinic
        form.instance.created_by = self.request.user
        return super().form_valid(form)

    def get_success_url(self):
        return reverse("programmes:programme-detail", args=[self.object.pk])


class ProgrammeUpdateView(ProgrammeMixin, SuccessMessageMixin, UpdateView):
    form_class = ProgrammeForm
    template_name = "programmes/programme_form.html"
    success_message = gettext_lazy("Programme details saved.")

    def get_success_url(self):
        return reverse("programmes:programme-detail", args=[self.object.pk])


class ProgrammeDetailView(ProgrammeMixin, DetailView):
    """The builder: every item with its ladder at a glance."""

    template_name = "programmes/programme_detail.html"
    context_object_name = "programme"

    def get_context_data(self, **kwargs):
        items = list(
            self.object.items.prefetch_related(
                Prefetch("levels", queryset=Level.objects.select_related("exercise"))
            )
        )
        for item in items:
            item.ladder = ladder_summary(item.levels.all())
        return super().get_context_data(items=items, **kwargs)


class ProgrammeDuplicateView(ProgrammeMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        programme = get_object_or_404(self.get_queryset(), pk=pk)
        copy = duplicate_programme(programme=programme, user=request.user)
        messages.success(request, _("“%(name)s” was created as a copy.") % {"name": copy.name})
        return redirect("programmes:programme-detail", pk=copy.pk)


class ProgrammeArchiveView(ProgrammeMixin, DetailView):
    """GET asks for confirmation; POST archives (or restores with restore=1)."""

    template_name = "programmes/programme_confirm_archive.html"
    context_object_name = "programme"

    def post(self, request, pk):
        programme = self.get_object()
        restore = request.POST.get("restore") == "1"
        set_archived(programme=programme, archived=not restore)
        if restore:
            messages.success(request, _("“%(name)s” is back in use.") % {"name": programme.name})
            return redirect("programmes:programme-detail", pk=programme.pk)
        messages.success(
            request,
            _("“%(name)s” was archived. Patients who have it keep their copy.")
            % {"name": programme.name},
        )
        return redirect("programmes:programme-list")


class ProgrammeItemMixin(ProgrammeMixin):
    def get_programme(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def get_existing_item(self):
        return get_object_or_404(
            Item.objects.select_related("programme"),
            pk=self.kwargs["item_pk"],
            programme__in=self.get_queryset(),
            programme_id=self.kwargs["pk"],
        )


class ItemLadderView(ProgrammeItemMixin, LadderEditorView):
    formset_class = ladder_formset_for(Item, Level)

    def get_item(self):
        if "item_pk" in self.kwargs:
            return self.get_existing_item()
        programme = self.get_programme()
        return Item(programme=programme, order=next_item_order(programme))

    def get_heading(self, item):
        if item.pk:
            return _("Edit the ladder of “%(item)s”") % {"item": item}
        return _("Add an item to “%(programme)s”") % {"programme": item.programme}

    def get_success_url(self, item):
        return reverse("programmes:programme-detail", args=[item.programme_id])


class ItemDeleteView(ProgrammeItemMixin, View):
    template_name = "programmes/item_confirm_delete.html"

    def get(self, request, pk, item_pk):
        item = self.get_existing_item()
        return render(request, self.template_name, {"item": item, "programme": item.programme})

    def post(self, request, pk, item_pk):
        item = self.get_existing_item()
        item.delete()
        messages.success(request, _("The item and its ladder were removed."))
        return redirect("programmes:programme-detail", pk=pk)


class ItemMoveView(ProgrammeItemMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk, item_pk):
        item = self.get_existing_item()
        step = -1 if request.POST.get("direction") == "up" else 1
        move_item(item=item, siblings=item.programme.items.all(), step=step)
        return redirect(reverse("programmes:programme-detail", args=[pk]) + f"#item-{item.pk}")
