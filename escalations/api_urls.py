from django.urls import path

from escalations import api

urlpatterns = [
    path("conversations/<int:pk>/escalate/", api.Escalate.as_view(), name="api-escalate"),
    path("escalations/", api.EscalationList.as_view(), name="api-escalations"),
    path("escalations/<int:pk>/", api.EscalationDetail.as_view(), name="api-escalation"),
    path("escalations/<int:pk>/answer/", api.EscalationAnswer.as_view(), name="api-escalation-answer"),
    path(
        "escalations/<int:pk>/request-info/",
        api.EscalationRequestInfo.as_view(),
        name="api-escalation-request-info",
    ),
    path("escalations/<int:pk>/info/", api.EscalationAddInfo.as_view(), name="api-escalation-info"),
]
