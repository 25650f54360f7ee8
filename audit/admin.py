from django.contrib import admin

from audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """To read and search only: nobody adds, changes or deletes an entry, not even an administrator."""

    list_display = ["at", "actor_name", "action", "object_type", "object_id", "summary", "ip_address"]
    # The fields are not editable, so the admin would leave them out of its (read-only) form.
    fields = readonly_fields = ["at", "actor", *list_display[1:]]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_name", "object_type", "object_id", "summary", "ip_address"]
    date_hierarchy = "at"
    show_full_result_count = False  # a COUNT over the whole log on every page is not worth it

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
