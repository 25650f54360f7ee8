from django.contrib import admin

from channels.models import PollCursor, RawEvent


@admin.register(RawEvent)
class RawEventAdmin(admin.ModelAdmin):
    """The deliveries as the platforms sent them: for finding out what happened, never for editing."""

    list_display = ["received_at", "platform", "endpoint", "state", "attempts", "error"]
    list_filter = ["platform", "state", "endpoint"]
    search_fields = ["body"]
    date_hierarchy = "received_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PollCursor)
class PollCursorAdmin(admin.ModelAdmin):
    list_display = ["name", "value", "updated_at"]
