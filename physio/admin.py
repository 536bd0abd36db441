from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Clinic, User


@admin.register(Clinic)
class ClinicAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name"]


@admin.register(User)
class ClinicUserAdmin(UserAdmin):
    list_display = ["username", "email", "first_name", "last_name", "role", "clinic", "is_active"]
    list_filter = ["role", "clinic", "is_active", "is_staff"]
    list_select_related = ["clinic"]
    fieldsets = [
        *UserAdmin.fieldsets,
        (_("Clinic"), {"fields": ["role", "clinic"]}),
    ]
    add_fieldsets = [
        *UserAdmin.add_fieldsets,
        (_("Clinic"), {"fields": ["role", "clinic"]}),
    ]
