from django.contrib import admin

from inbox.models import MessageTemplate, ServiceLevel, Team, Topic


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "channel", "language", "content_sid", "is_active"]
    list_filter = ["channel", "language", "is_active"]


@admin.register(ServiceLevel)
class ServiceLevelAdmin(admin.ModelAdmin):
    list_display = ["channel", "first_response_minutes", "resolution_minutes"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "wip_limit"]


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "public_space"]
    search_fields = ["name", "keywords"]
