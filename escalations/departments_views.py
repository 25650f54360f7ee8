"""Department management for admins and leads: the list, and one form to create or change a department."""

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from escalations import departments as services
from escalations.departments_forms import DepartmentForm
from escalations.models import Department
from webcare.roles import LEAD_ROLES, role_required


@role_required(LEAD_ROLES)
def department_list(request: HttpRequest) -> HttpResponse:
    departments = (
        Department.objects.select_related("account_manager")
        .prefetch_related("topics")
        .annotate(member_count=Count("members"))
        .order_by("name")
    )
    return render(request, "escalations/departments/list.html", {"departments": departments})


@role_required(LEAD_ROLES)
def department_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    department = get_object_or_404(Department, pk=pk) if pk else None
    # The form writes the typed values onto its instance while validating: keep the saved name.
    heading = department.name if department else _("New department")
    form = DepartmentForm(request.POST or None, instance=department)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.save_department(
                department_id=department.pk if department else None,
                slug=data["slug"],
                name=data["name"],
                service_level_days=data["service_level_days"],
                account_manager_id=data["account_manager"].pk if data["account_manager"] else None,
                topic_ids=[topic.pk for topic in data["topics"]],
                member_ids=[user.pk for user in data["members"]],
            )
        except services.DepartmentError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Department %(name)s saved.") % {"name": saved.name})
            return redirect("departments:list")
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "department": department, "heading": heading}
    return render(request, "escalations/departments/edit.html", context, status=status)
