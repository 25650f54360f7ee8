from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts import two_factor
from accounts.models import User


@admin.register(User)
class WebcareUserAdmin(UserAdmin):
    list_display = ("username", "first_name", "last_name", "role", "team", "department")
    list_filter = ("role", "team", "department", "is_active")
    fieldsets = (*UserAdmin.fieldsets, ("Webcare", {"fields": ("role", "team", "department", "initials")}))
    actions = ["reset_two_factor"]

    @admin.action(description=_("Reset two-factor log-in (lost phone)"))
    def reset_two_factor(self, request, queryset):
        """The user sets it up again at the next log-in; a role that requires it cannot skip that."""
        for user in queryset:
            two_factor.remove_two_factor(user=user, by=request.user, request=request)
        count = queryset.count()
        self.message_user(
            request,
            ngettext(
                "Two-factor log-in reset for %(count)d user.",
                "Two-factor log-in reset for %(count)d users.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
