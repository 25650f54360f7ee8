from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from accounts.models import User


@admin.register(User)
class WebcareUserAdmin(UserAdmin):
    list_display = ("username", "first_name", "last_name", "role", "team", "department")
    list_filter = ("role", "team", "department", "is_active")
    fieldsets = (*UserAdmin.fieldsets, ("Webcare", {"fields": ("role", "team", "department", "initials")}))
