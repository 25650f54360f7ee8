from django.urls import path

from inbox import api

urlpatterns = [
    path("conversations/", api.ConversationList.as_view(), name="api-conversations"),
    path("conversations/<int:pk>/", api.ConversationDetail.as_view(), name="api-conversation"),
    path("conversations/<int:pk>/reply/", api.ConversationReply.as_view(), name="api-reply"),
    path("conversations/<int:pk>/close/", api.ConversationClose.as_view(), name="api-close"),
    path("messages/<int:pk>/retry/", api.MessageRetry.as_view(), name="api-retry"),
    path("contacts/<int:pk>/", api.ContactDetail.as_view(), name="api-contact"),
]
