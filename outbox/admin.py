from django.contrib import admin

from outbox.models import PendingTask


@admin.register(PendingTask)
class PendingTaskAdmin(admin.ModelAdmin):
    """Work a worker has not finished yet; a row that stays has its reason in `last_error`."""

    list_display = ["created_at", "task", "args", "available_at", "attempts", "last_error"]
    list_filter = ["task"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
