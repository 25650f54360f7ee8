from django.urls import path

from protocols import views

app_name = "protocols"

# The fixed words come first: protocols.forms.RESERVED_KEYS keeps them from being used as keys.
urlpatterns = [
    path("", views.protocol_list, name="list"),
    path("new/", views.protocol_edit, name="new"),
    path("propose/", views.propose, name="propose_new"),
    path("proposals/", views.proposal_list, name="proposals"),
    path("proposals/<int:pk>/accept/", views.accept_proposal, name="accept"),
    path("proposals/<int:pk>/reject/", views.reject_proposal, name="reject"),
    path("from-escalation/<int:escalation_id>/", views.from_escalation, name="from-escalation"),
    path("<slug:key>/", views.protocol_detail, name="detail"),
    path("<slug:key>/edit/", views.protocol_edit, name="edit"),
    path("<slug:key>/propose/", views.propose, name="propose"),
    path("<slug:key>/status/", views.change_status, name="status"),
    path("<slug:key>/versions/<int:number>/restore/", views.restore_version, name="restore"),
]
