import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.db.models import F, OuterRef, Prefetch, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import CreateView, DetailView, ListView, TemplateView, UpdateView

from physio.access import ClinicianRequiredMixin, PatientRequiredMixin
from programmes.forms import ladder_formset_for
from programmes.ladders import ladder_summary
from programmes.models import Programme
from programmes.progression import profile_for
from programmes.views import LadderEditorView

from . import review, services
from .forms import (
    AssignmentForm,
    AssignmentItemForm,
    CheckInForm,
    ChoosePasswordForm,
    DeclineForm,
    MoveLevelForm,
    PatientFilterForm,
    PatientForm,
    PsfsForm,
    SessionEntryForm,
    SessionForm,
    SessionNoteForm,
    describe_profile,
)
from .history import CHART_SESSIONS, history_chart_data, recent_sessions, with_entry_lines
from .models import (
    Alert,
    Assignment,
    AssignmentItem,
    AssignmentLevel,
    AssignmentStatus,
    Decision,
    Patient,
    PatientStatus,
    Session,
    SessionEntry,
)

# The raw invitation link exists only in the response that created it; the
# session carries it to the next page once, the database keeps only a hash.
SHOWN_INVITATION_KEY = "isohold_new_invitation"
# A level change is announced on the patient's today page for this long.
LEVEL_NEWS_DAYS = 3


class DashboardView(ClinicianRequiredMixin, TemplateView):
    """Who needs attention: alerts, items ready to progress, quiet patients, missed mornings.

    Each kind shows its first rows and how many there are; the rest are a link away.
    """

    template_name = "patients/dashboard.html"
    recent_session_count = 10

    def get_context_data(self, **kwargs):
        user = self.request.user
        now = timezone.now()
        recent = review.recent_sessions(user, self.recent_session_count)
        # The scheduled job may lag: what this page shows is decided before it is shown.
        if services.expire_shown_check_ins(recent, now=now):
            recent = review.recent_sessions(user, self.recent_session_count)
        sections = review.needs_attention(user, now=now)
        return super().get_context_data(
            clinic=user.clinic,
            sections=list(sections.values()),
            counts={key: section.total for key, section in sections.items()},
            active_patients=Patient.objects.visible_to(user)
            .filter(status=PatientStatus.ACTIVE)
            .count(),
            recent_sessions=recent,
            **kwargs,
        )


class AttentionListView(ClinicianRequiredMixin, ListView):
    """Every row of one kind of the dashboard's "needs attention", page by page."""

    template_name = "patients/attention_list.html"
    context_object_name = "rows"
    paginate_by = 50

    def get_queryset(self):
        # Open alerts have their own list, where they are acknowledged.
        if self.kwargs["kind"] == "alerts" or self.kwargs["kind"] not in review.ATTENTION_KINDS:
            raise Http404
        self.kind = review.ATTENTION_KINDS[self.kwargs["kind"]]
        return review.attention_queryset(self.kind.key, self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["kind"] = self.kind
        context["rows"] = review.attention_rows(self.kind.key, context["page_obj"].object_list)
        return context


def current_items_prefetch():
    """An assignment's items with their ladders and exercises, in two queries."""
    return Prefetch(
        "items",
        queryset=AssignmentItem.objects.select_related("current_level__exercise").prefetch_related(
            Prefetch("levels", queryset=AssignmentLevel.objects.select_related("exercise"))
        ),
    )


def review_items(assignment) -> list:
    """The assignment's items for the clinician's review, in two queries: each with its
    ladder (`level_list`, each level numbered and labelled, the current one marked),
    `current_number`, `display_title` and `latest_decision_id`."""
    items = list(
        AssignmentItem.objects.filter(assignment=assignment)
        .annotate(latest_decision_id=review.latest_decision_id())
        .order_by("order", "id")
    )
    levels_of: dict[int, list] = {item.pk: [] for item in items}
    for level in (
        AssignmentLevel.objects.filter(item__assignment=assignment)
        .select_related("exercise")
        .only(*LEVEL_SHOWN, "exercise__name")
        .order_by("item_id", "order", "id")
    ):
        levels_of[level.item_id].append(level)
    # "Supported …" for "Supported (lying or on hands and knees)": once per position.
    positions: dict[str, str] = {}
    for item in items:
        item.level_list = levels_of[item.pk]
        item.current_number = None
        for number, level in enumerate(item.level_list, start=1):
            level.number = number
            level.is_current = level.pk == item.current_level_id
            dose = level.dose
            if level.position not in positions:
                positions[level.position] = Truncator(level.get_position_display()).words(
                    1, truncate=" …"
                )
            parts = [level.exercise.name, positions[level.position], dose]
            if level.resistance:
                parts.append(level.resistance)
            level.summary = " · ".join(parts)
            level.choice = f"{number}. {level.exercise.name} {dose}"
            if level.is_current:
                item.current_number = number
                item.display_title = item.title or level.exercise.name
        if item.current_number is None:
            item.display_title = str(item)
    return items


# What the review reads of a level.
LEVEL_SHOWN = (
    "item",
    "exercise",
    "position",
    "sets",
    "hold_seconds",
    "reps",
    "resistance",
    "order",
)


def annotate_ladders(assignment):
    for item in assignment.items.all():
        levels = list(item.levels.all())
        item.level_list = levels
        item.ladder = ladder_summary(levels)
        item.current_number = next(
            (n for n, level in enumerate(levels, start=1) if level.pk == item.current_level_id),
            None,
        )
    return assignment


class PatientPortalMixin(PatientRequiredMixin):
    """Patient pages: everything is read through the signed-in patient's own record."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.is_patient:
            self.patient_record = get_object_or_404(Patient, user=request.user)
        return super().dispatch(request, *args, **kwargs)

    def current_assignment(self, *, with_items=True):
        assignments = Assignment.objects.filter(patient=self.patient_record).current()
        if with_items:
            assignments = assignments.prefetch_related(current_items_prefetch())
        assignment = assignments.first()
        return assignment and (annotate_ladders(assignment) if with_items else assignment)


class PortalView(PatientPortalMixin, TemplateView):
    """Today: any open check-in first, then the PSFS when due, then the exercises."""

    template_name = "patients/portal.html"

    def get_context_data(self, **kwargs):
        # Only today's level of each item is shown: no ladders to load.
        todays_items = AssignmentItem.objects.select_related("current_level__exercise")
        assignment = (
            Assignment.objects.filter(patient=self.patient_record)
            .current()
            .with_today_summary()
            .prefetch_related(Prefetch("items", queryset=todays_items))
            .first()
        )
        check_ins = list(services.pending_check_ins(patient=self.patient_record))
        psfs = None
        if assignment:
            psfs = services.psfs_due(
                named=assignment.psfs_named, last_rated_at=assignment.psfs_rated_at
            )
        changes = []
        if assignment:
            changes = (
                Decision.objects.filter(
                    item__assignment=assignment,
                    created_at__gte=timezone.now() - timedelta(days=LEVEL_NEWS_DAYS),
                )
                .exclude(to_level=F("from_level"))
                .select_related("item")
                .order_by("-created_at")
            )
        return super().get_context_data(
            level_changes=changes,
            assignment=assignment,
            pending_check_ins=check_ins,
            psfs_due=psfs,
            **kwargs,
        )


class SessionLogView(PatientPortalMixin, View):
    """The hold timer and the log form on one page; saving is safe to repeat."""

    template_name = "patients/session_log.html"

    def get_assignment_or_none(self):
        assignment = self.current_assignment()
        if assignment is None or assignment.status != AssignmentStatus.ACTIVE:
            return None
        return assignment

    def entry_forms(self, assignment, data=None):
        return [
            SessionEntryForm(data, item=item, level=item.current_level)
            for item in assignment.items.all()
            if item.current_level is not None and not item.paused
        ]

    def coaching_cues(self, assignment) -> dict[int, list[str]]:
        """Technique flags from each exercise's last session become a cue for this one."""
        latest = {}
        entries = SessionEntry.objects.filter(item__assignment=assignment).order_by(
            "-session__performed_at", "-id"
        )
        for entry in entries.only("item_id", "held_breath", "braced_too_hard")[:50]:
            latest.setdefault(entry.item_id, entry)
        cues = {}
        for item_id, entry in latest.items():
            if entry.held_breath:
                cues.setdefault(item_id, []).append(
                    _("Last time you held your breath: breathe out slowly through the hold.")
                )
            if entry.braced_too_hard:
                cues.setdefault(item_id, []).append(
                    _("Last time you braced too hard: brace gently, about a third of your maximum.")
                )
        return cues

    def render_page(self, assignment, session_form, entry_forms, status=200):
        cues = self.coaching_cues(assignment)
        for form in entry_forms:
            form.cues = cues.get(form.item.pk, [])
        context = {
            "assignment": assignment,
            "session_form": session_form,
            "entry_forms": entry_forms,
            "timer_get_ready": settings.TIMER_GET_READY_SECONDS,
            "timer_rest_cap": settings.TIMER_REST_CAP_SECONDS,
            "only_item": self.request.GET.get("item", ""),
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request):
        assignment = self.get_assignment_or_none()
        if assignment is None:
            messages.info(request, _("There is no active programme to do right now."))
            return redirect("patients:portal")
        session_form = SessionForm(initial={"submission_key": uuid.uuid4()})
        return self.render_page(assignment, session_form, self.entry_forms(assignment))

    def post(self, request):
        assignment = self.get_assignment_or_none()
        if assignment is None:
            messages.error(
                request, _("This programme is not active, so the session was not saved.")
            )
            return redirect("patients:portal")
        session_form = SessionForm(request.POST)
        if "submission_key" in session_form.errors:
            # A damaged or missing key: start a fresh submission rather than lose the typing.
            data = request.POST.copy()
            data["submission_key"] = str(uuid.uuid4())
            session_form = SessionForm(data)
        entry_forms = self.entry_forms(assignment, request.POST)
        valid = session_form.is_valid() & all([form.is_valid() for form in entry_forms])
        done = [form for form in entry_forms if valid and not form.cleaned_data.get("skipped")]
        if valid and not done:
            session_form.add_error(None, _("Log at least one exercise, or come back later."))
            valid = False
        if not valid:
            return self.render_page(assignment, session_form, entry_forms)
        try:
            logged = services.log_session(
                assignment=assignment,
                submission_key=session_form.cleaned_data["submission_key"],
                entries=[form.to_entry() for form in done],
                notes=session_form.cleaned_data["notes"],
            )
        except services.SessionError as error:
            session_form.add_error(None, str(error))
            return self.render_page(assignment, session_form, entry_forms)
        if logged.created:
            messages.success(request, _("Your session was saved."))
        return redirect("patients:session-detail", pk=logged.session.pk)


class OwnSessionMixin(PatientPortalMixin):
    def get_session(self, pk):
        return get_object_or_404(
            Session.objects.filter(patient=self.patient_record).select_related("check_in"), pk=pk
        )


class SessionDetailView(OwnSessionMixin, View):
    """After saving: what to do next in plain words; later, the place to add a correction."""

    template_name = "patients/session_detail.html"

    def render_page(self, session, note_form):
        entries = list(session.entries.all())
        level_changes = Decision.objects.filter(
            item__in=[entry.item_id for entry in entries], created_at__gte=session.performed_at
        ).exclude(to_level=F("from_level"))
        context = {
            "session": session,
            "entries": entries,
            "level_changes": level_changes.select_related("item"),
            "flares": [entry for entry in entries if entry.is_flare],
            "technique": [e for e in entries if e.held_breath or e.braced_too_hard],
            "notes": list(session.correction_notes.all()),
            "note_form": note_form,
        }
        return render(self.request, self.template_name, context)

    def get(self, request, pk):
        return self.render_page(self.get_session(pk), SessionNoteForm())

    def post(self, request, pk):
        session = self.get_session(pk)
        form = SessionNoteForm(request.POST)
        if not form.is_valid():
            return self.render_page(session, form)
        services.add_session_note(
            session=session, author=request.user, text=form.cleaned_data["text"]
        )
        messages.success(request, _("Your note was added."))
        return redirect("patients:session-detail", pk=session.pk)


class CheckInView(OwnSessionMixin, View):
    template_name = "patients/check_in.html"

    def get(self, request, pk):
        session = self.get_session(pk)
        return render(request, self.template_name, {"session": session, "form": CheckInForm()})

    def post(self, request, pk):
        session = self.get_session(pk)
        form = CheckInForm(request.POST)
        if form.is_valid():
            try:
                services.record_check_in(
                    session=session,
                    pain_now=form.cleaned_data["pain_now"],
                    worse_than_usual=form.cleaned_data["worse_than_usual"],
                )
            except services.CheckInError as error:
                messages.info(request, str(error))
                return redirect("patients:portal")
            messages.success(request, _("Thank you — your morning check-in was saved."))
            return redirect("patients:portal")
        return render(request, self.template_name, {"session": session, "form": form})


class PsfsView(PatientPortalMixin, View):
    template_name = "patients/psfs.html"

    def get_assignment(self):
        assignment = self.current_assignment(with_items=False)
        if assignment is None:
            raise Http404(_("There is no current programme."))
        return assignment

    def get(self, request):
        assignment = self.get_assignment()
        form = PsfsForm(activities=assignment.psfs_activities.all())
        return render(request, self.template_name, {"form": form, "assignment": assignment})

    def post(self, request):
        assignment = self.get_assignment()
        form = PsfsForm(request.POST, activities=assignment.psfs_activities.all())
        if not form.is_valid():
            return render(request, self.template_name, {"form": form, "assignment": assignment})
        rating = services.save_psfs(assignment=assignment, ratings=form.ratings)
        messages.success(
            request,
            _("Thank you. Your activity score today is %(score)s out of 10.")
            % {"score": rating.score.normalize()},
        )
        return redirect("patients:portal")


class HistoryView(PatientPortalMixin, ListView):
    template_name = "patients/history.html"
    context_object_name = "sessions"
    paginate_by = 20

    def get_queryset(self):
        return (
            Session.objects.filter(patient=self.patient_record)
            .select_related("check_in")
            .prefetch_related("entries", "correction_notes")
        )

    def get_context_data(self, **kwargs):
        assignment = self.current_assignment(with_items=False)
        return super().get_context_data(
            chart_data=history_chart_data(
                self.patient_record,
                sessions_per_week=assignment.sessions_per_week if assignment else None,
            ),
            **kwargs,
        )


class PatientMixin(ClinicianRequiredMixin):
    model = Patient

    def get_queryset(self):
        return Patient.objects.visible_to(self.request.user)


class PatientListView(PatientMixin, ListView):
    template_name = "patients/patient_list.html"
    context_object_name = "patients"
    paginate_by = 25

    def get_queryset(self):
        user = self.request.user
        self.filter_form = PatientFilterForm(self.request.GET or None, clinic=user.clinic)
        patients = super().get_queryset().select_related("clinician", "user")
        if self.filter_form.is_valid():
            data = self.filter_form.cleaned_data
            patients = patients.search(data["q"] or "")
            if data["clinician"]:
                patients = patients.filter(clinician=data["clinician"])
            if data["status"]:
                patients = patients.filter(status=data["status"])
        else:
            patients = patients.filter(status=PatientStatus.ACTIVE)
        current = Assignment.objects.filter(patient=OuterRef("pk")).current()
        return patients.annotate(current_programme=Subquery(current.values("name")[:1]))

    def get_context_data(self, **kwargs):
        return super().get_context_data(filter_form=self.filter_form, **kwargs)


def remember_invitation_link(request, patient, issued):
    link = request.build_absolute_uri(reverse("patients:accept-invitation", args=[issued.token]))
    request.session[SHOWN_INVITATION_KEY] = {"patient": patient.pk, "link": link}
    services.email_invitation(patient=patient, link=link)
    return link


class PatientCreateView(PatientMixin, CreateView):
    form_class = PatientForm
    template_name = "patients/patient_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "clinic": self.request.user.clinic}

    def get_initial(self):
        return {"clinician": self.request.user.pk}

    def form_valid(self, form):
        form.instance.clinic = self.request.user.clinic
        patient = form.save()
        issued = services.issue_invitation(patient=patient, by=self.request.user)
        remember_invitation_link(self.request, patient, issued)
        messages.success(
            self.request,
            _("%(name)s was added. Copy the invitation link below and send it to them.")
            % {"name": patient.full_name},
        )
        return redirect("patients:patient-detail", pk=patient.pk)


class PatientUpdateView(PatientMixin, UpdateView):
    form_class = PatientForm
    template_name = "patients/patient_form.html"

    def get_queryset(self):
        # Typing personal data back into an erased record would undo the erasure.
        return super().get_queryset().filter(erased_at__isnull=True)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "clinic": self.request.user.clinic}

    def form_valid(self, form):
        messages.success(self.request, _("The patient's details were saved."))
        return super().form_valid(form)

    def get_success_url(self):
        return reverse("patients:patient-detail", args=[self.object.pk])


class PatientArchiveView(PatientMixin, DetailView):
    template_name = "patients/patient_confirm_archive.html"
    context_object_name = "patient"

    def post(self, request, pk):
        patient = self.get_object()
        restore = request.POST.get("restore") == "1"
        try:
            services.set_patient_archived(patient=patient, archived=not restore)
        except services.PatientError as error:
            messages.error(request, str(error))
            return redirect("patients:patient-detail", pk=patient.pk)
        if restore:
            messages.success(request, _("%(name)s is active again.") % {"name": patient})
        else:
            messages.success(
                request,
                _("%(name)s was archived: their programme is finished and they cannot sign in.")
                % {"name": patient},
            )
        return redirect("patients:patient-detail", pk=patient.pk)


class PatientDetailView(PatientMixin, DetailView):
    """The clinician's overview of one patient: alerts, login, the programme and how each
    item stands (with its latest decision), the latest sessions and the charts.

    The patient's full records (sessions, decisions, programmes, change history) are tabs
    of their own, each paginated, so the overview reads a bounded amount however long the
    patient has been treated."""

    template_name = "patients/patient_detail.html"
    context_object_name = "patient"
    recent_session_count = 10

    def get_queryset(self):
        return super().get_queryset().select_related("clinician", "user")

    def get_context_data(self, **kwargs):
        patient = self.object
        # One current programme at most (a unique index says so).
        current = patient.assignments.current().first()
        # One read of the newest sessions serves the charts, the table of the latest, and
        # (mostly) the items' streaks.
        sessions = recent_sessions(patient)
        # As on the dashboard: if the scheduled job is late, what the page shows is decided
        # before it is shown (older waiting sessions are the job's).
        if services.expire_shown_check_ins(sessions):
            sessions = recent_sessions(patient)
        if current is not None:
            current.item_list = review_items(current)
            review.annotate_item_progress(
                current, recent=sessions, recent_all=len(sessions) < CHART_SESSIONS
            )
            current.profile_numbers = describe_profile(
                profile_for(current.rule_profile, current.rule_numbers)
            )
        shown = self.request.session.get(SHOWN_INVITATION_KEY)
        new_link = None
        if shown and shown.get("patient") == patient.pk:
            new_link = shown["link"]
            del self.request.session[SHOWN_INVITATION_KEY]
        # The invitation matters only while it is shown or the patient has no login yet.
        invitation = patient.invitations.first() if new_link or not patient.user_id else None
        return super().get_context_data(
            current=current,
            alerts=list(review.open_alerts_for(patient)),
            chart_data=history_chart_data(
                patient,
                sessions_per_week=current.sessions_per_week if current else None,
                sessions=sessions,
            ),
            decline_form=DeclineForm(),
            recent_sessions=with_entry_lines(sessions[::-1][: self.recent_session_count]),
            more_sessions=len(sessions) > self.recent_session_count,
            invitation=invitation,
            new_invitation_link=new_link,
            **kwargs,
        )


class InvitationReissueView(PatientMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        patient = get_object_or_404(self.get_queryset(), pk=pk, status=PatientStatus.ACTIVE)
        issued = services.issue_invitation(patient=patient, by=request.user)
        remember_invitation_link(request, patient, issued)
        messages.success(request, _("A new invitation link was made; the old one no longer works."))
        return redirect("patients:patient-detail", pk=patient.pk)


class AcceptInvitationView(View):
    """Public: the patient opens their link, chooses a password and is signed in."""

    template_name = "patients/accept_invitation.html"

    def get_invitation(self, token):
        try:
            return services.find_invitation(token), None
        except services.InvitationError as error:
            return None, str(error)

    def render_page(self, request, invitation, problem, form=None, status=200):
        context = {"invitation": invitation, "problem": problem, "form": form}
        if invitation is not None:
            patient = invitation.patient
            context["username"] = (
                patient.user.username if patient.user_id else services.free_username(patient)
            )
        return render(request, self.template_name, context, status=status)

    def get(self, request, token):
        invitation, problem = self.get_invitation(token)
        if problem:
            return self.render_page(request, None, problem, status=404)
        form = ChoosePasswordForm(patient=invitation.patient)
        return self.render_page(request, invitation, None, form)

    def post(self, request, token):
        invitation, problem = self.get_invitation(token)
        if problem:
            return self.render_page(request, None, problem, status=404)
        form = ChoosePasswordForm(request.POST, patient=invitation.patient)
        if not form.is_valid():
            return self.render_page(request, invitation, None, form)
        try:
            user = services.accept_invitation(token=token, password=form.cleaned_data["password1"])
        except services.InvitationError as error:
            return self.render_page(request, None, str(error), status=404)
        login(request, user, backend="physio.backends.ClinicUserBackend")
        messages.success(
            request,
            _("Welcome! Your username is %(username)s — you will need it to sign in next time.")
            % {"username": user.username},
        )
        return redirect("patients:portal")


class AssignProgrammeView(PatientMixin, View):
    template_name = "patients/assign_form.html"

    def get_patient(self, pk):
        return get_object_or_404(self.get_queryset(), pk=pk, status=PatientStatus.ACTIVE)

    def chosen_programme(self, request):
        programme_id = request.POST.get("programme") or request.GET.get("programme")
        if not programme_id or not str(programme_id).isdigit():
            return None
        return (
            Programme.objects.visible_to(request.user)
            .active()
            .prefetch_related("items__levels__exercise")
            .filter(pk=programme_id)
            .first()
        )

    def render_page(self, request, patient, form, programme):
        programmes = Programme.objects.visible_to(request.user).active().order_by("name")
        context = {
            "patient": patient,
            "form": form,
            "programme": programme,
            "programmes": programmes,
        }
        return render(request, self.template_name, context)

    def get(self, request, pk):
        patient = self.get_patient(pk)
        programme = self.chosen_programme(request)
        form = AssignmentForm(user=request.user, programme=programme) if programme else None
        return self.render_page(request, patient, form, programme)

    def post(self, request, pk):
        patient = self.get_patient(pk)
        programme = self.chosen_programme(request)
        form = AssignmentForm(request.POST, user=request.user, programme=programme)
        if programme is None or not form.is_valid():
            return self.render_page(request, patient, form, programme)
        try:
            services.assign_programme(
                patient=patient,
                programme=programme,
                by=request.user,
                start_date=form.cleaned_data["start_date"],
                sessions_per_week=form.cleaned_data["sessions_per_week"],
                rule_profile=form.cleaned_data["rule_profile"],
                rule_numbers=form.rule_numbers,
                auto_advance=form.cleaned_data["auto_advance"],
                starting_levels=form.starting_levels(),
            )
        except services.AssignmentError as error:
            form.add_error(None, str(error))
            return self.render_page(request, patient, form, programme)
        messages.success(
            request,
            _("%(programme)s was given to %(patient)s.")
            % {"programme": programme.name, "patient": patient},
        )
        return redirect("patients:patient-detail", pk=patient.pk)


class AssignmentMixin(ClinicianRequiredMixin):
    def get_assignment(self):
        return get_object_or_404(
            Assignment.objects.visible_to(self.request.user).select_related("patient"),
            pk=self.kwargs["assignment_pk"],
            patient_id=self.kwargs["pk"],
        )


class AssignmentStatusView(AssignmentMixin, View):
    """Pause and resume are one click; finishing asks first (GET shows the question)."""

    template_name = "patients/assignment_confirm_finish.html"

    def get(self, request, pk, assignment_pk):
        assignment = self.get_assignment()
        return render(request, self.template_name, {"assignment": assignment})

    def post(self, request, pk, assignment_pk):
        assignment = self.get_assignment()
        action = request.POST.get("action")
        if action not in services.TRANSITIONS:
            messages.error(request, _("Unknown action."))
        else:
            try:
                services.change_assignment_status(assignment=assignment, action=action)
            except services.AssignmentError as error:
                messages.error(request, str(error))
            else:
                messages.success(
                    request,
                    _("The programme is now %(status)s.")
                    % {"status": services.TRANSITIONS[action][1].label.lower()},
                )
        return redirect("patients:patient-detail", pk=pk)


class AssignmentItemLadderView(AssignmentMixin, LadderEditorView):
    """The clinician edits the patient's own copy of a ladder."""

    item_form_class = AssignmentItemForm
    formset_class = ladder_formset_for(AssignmentItem, AssignmentLevel)

    def get_item(self):
        assignment = self.get_assignment()
        if not assignment.is_current:
            raise Http404(_("A finished programme can no longer be edited."))
        return get_object_or_404(
            AssignmentItem.objects.select_related("assignment__patient"),
            pk=self.kwargs["item_pk"],
            assignment=assignment,
        )

    def get_heading(self, item):
        return _("%(patient)s's ladder: %(item)s") % {
            "patient": item.assignment.patient,
            "item": item,
        }

    def get_success_url(self, item):
        return reverse("patients:patient-detail", args=[item.assignment.patient_id])

    def extra_context_for(self, item):
        return {"current_level_id": item.current_level_id}

    def save(self, item, formset):
        super().save(item, formset)
        services.keep_current_level_valid(item)


class PrintProgrammeView(ClinicianRequiredMixin, DetailView):
    template_name = "patients/print_programme.html"
    context_object_name = "patient"

    def get_queryset(self):
        return Patient.objects.visible_to(self.request.user).select_related("clinic")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            assignment=printable_assignment(Assignment.objects.filter(patient=self.object)),
            **kwargs,
        )


class MyProgrammePrintView(PatientRequiredMixin, TemplateView):
    template_name = "patients/print_programme.html"

    def get_context_data(self, **kwargs):
        assignments = Assignment.objects.visible_to(self.request.user)
        assignment = printable_assignment(assignments)
        patient = assignment.patient if assignment else None
        return super().get_context_data(assignment=assignment, patient=patient, **kwargs)


def printable_assignment(assignments):
    assignment = (
        assignments.current()
        .select_related("patient__clinic")
        .prefetch_related(current_items_prefetch())
        .first()
    )
    return assignment and annotate_ladders(assignment)


class ItemDecisionView(AssignmentMixin, View):
    """Approve or decline a ready item, or move it to any level, from the patient page."""

    http_method_names = ["post"]

    def post(self, request, pk, assignment_pk, item_pk, action):
        assignment = self.get_assignment()
        item = get_object_or_404(assignment.items.all(), pk=item_pk)
        try:
            if action == "approve":
                services.approve_progression(item=item, by=request.user)
                messages.success(request, _("Approved: the patient moves up a level."))
            elif action == "decline":
                form = DeclineForm(request.POST)
                if not form.is_valid():
                    messages.error(request, _("Give a reason for declining."))
                    return redirect("patients:patient-detail", pk=pk)
                services.decline_progression(
                    item=item, by=request.user, reason=form.cleaned_data["reason"]
                )
                messages.success(request, _("Declined: the patient stays at this level."))
            elif action == "move":
                form = MoveLevelForm(request.POST)
                if not form.is_valid():
                    messages.error(request, _("Choose a level and give a reason."))
                    return redirect("patients:patient-detail", pk=pk)
                services.move_level(
                    item=item,
                    by=request.user,
                    to_level=form.cleaned_data["level"],
                    reason=form.cleaned_data["reason"],
                )
                messages.success(request, _("The level was changed."))
            else:
                raise Http404
        except services.DecisionError as error:
            messages.error(request, str(error))
        return redirect(reverse("patients:patient-detail", args=[pk]) + f"#item-{item.pk}")


class AlertAcknowledgeView(ClinicianRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        alert = get_object_or_404(Alert.objects.visible_to(request.user), pk=pk)
        services.acknowledge_alert(alert=alert, by=request.user)
        messages.success(request, _("Alert acknowledged."))
        next_url = request.POST.get("next")
        if next_url and url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
            return redirect(next_url)
        return redirect("patients:patient-detail", pk=alert.patient_id)


class AlertListView(ClinicianRequiredMixin, ListView):
    template_name = "patients/alert_list.html"
    context_object_name = "alerts"
    paginate_by = 25

    def get_queryset(self):
        alerts = Alert.objects.visible_to(self.request.user).select_related(
            "patient", "acknowledged_by"
        )
        if self.request.GET.get("all") != "1":
            alerts = alerts.open()
        return alerts
