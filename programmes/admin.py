from django.contrib import admin

from .models import Exercise


@admin.register(Exercise)
class ExerciseAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "position", "body_region", "equipment", "clinic"]
    list_filter = ["kind", "position", "body_region", "equipment", "clinic"]
    list_select_related = ["clinic"]
    search_fields = ["name", "instructions"]
    raw_id_fields = ["based_on", "created_by"]
