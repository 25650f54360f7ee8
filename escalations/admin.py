from django.contrib import admin

from escalations.models import Department


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "account_manager", "service_level_days")
    prepopulated_fields = {"slug": ("name",)}
