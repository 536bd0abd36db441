from django.contrib import admin

from .models import (
    Assignment,
    CheckIn,
    Erasure,
    Invitation,
    Patient,
    Session,
    SessionEntry,
    SessionNote,
)


@admin.register(Patient)
class PatientAdmin(admin.ModelAdmin):
    list_display = ["__str__", "clinic", "clinician", "status", "baseline_pain"]
    list_filter = ["status", "clinic"]
    list_select_related = ["clinic", "clinician"]
    search_fields = ["first_name", "last_name", "email"]
    raw_id_fields = ["user", "clinician"]

    def get_readonly_fields(self, request, obj=None):
        # A patient stays with the clinic that registered them: their sessions and decisions
        # carry that clinic too, and clinicians' lists are scoped by it.
        fields = super().get_readonly_fields(request, obj)
        return [*fields, "clinic"] if obj is not None else fields


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["patient", "created_at", "expires_at", "used_at", "revoked_at"]
    list_select_related = ["patient"]
    readonly_fields = ["token_hash"]
    raw_id_fields = ["patient", "created_by"]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["name", "patient", "status", "rule_profile", "start_date"]
    list_filter = ["status", "rule_profile"]
    list_select_related = ["patient"]
    raw_id_fields = ["patient", "programme", "created_by"]


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class SessionEntryInline(ReadOnlyInline):
    model = SessionEntry


class SessionNoteInline(ReadOnlyInline):
    model = SessionNote


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    """Sessions are clinical records: append-only, so the admin only reads them."""

    list_display = ["patient", "performed_at", "assignment"]
    list_select_related = ["patient", "assignment"]
    date_hierarchy = "performed_at"
    inlines = [SessionEntryInline, SessionNoteInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(CheckIn)
class CheckInAdmin(admin.ModelAdmin):
    list_display = ["session", "pain_now", "worse_than_usual", "created_at"]
    list_select_related = ["session__patient"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(Erasure)
class ErasureAdmin(admin.ModelAdmin):
    """The audit line of an erasure is evidence: it is read, never edited or removed."""

    list_display = ["patient_number", "clinic", "erased_by_name", "erased_at"]
    list_select_related = ["clinic"]
    list_filter = ["clinic"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
