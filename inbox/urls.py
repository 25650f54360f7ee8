from django.urls import path

from inbox import views

app_name = "inbox"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("next/", views.next_conversation, name="next"),
    path("conversations/<int:pk>/", views.conversation_detail, name="conversation"),
    path("conversations/<int:pk>/reply/", views.reply, name="reply"),
    path("conversations/<int:pk>/claim/", views.claim, name="claim"),
    path("conversations/<int:pk>/release/", views.release, name="release"),
    path("conversations/<int:pk>/close/", views.close, name="close"),
    path("conversations/<int:pk>/reopen/", views.reopen, name="reopen"),
    path("conversations/<int:pk>/assign/", views.assign, name="assign"),
    path("conversations/<int:pk>/notes/", views.add_note, name="note"),
    path("messages/<int:pk>/retry/", views.retry_delivery, name="retry"),
    path("messages/<int:pk>/attachments/<int:index>/", views.attachment, name="attachment"),
    path("contacts/<int:pk>/", views.contact_detail, name="contact"),
    path("contacts/<int:pk>/merge/", views.merge_contact, name="merge"),
    path("routing/", views.routing_rules, name="routing"),
    path("routing/new/", views.routing_rule_edit, name="routing_new"),
    path("routing/<int:pk>/", views.routing_rule_edit, name="routing_edit"),
]
