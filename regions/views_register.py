"""The regions registry for officers: every region's county code, names, organisationsnummer
and official mailbox; officers add and edit, auditors read (regions.guards.agency_page).
Every change is audited (regions.register)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from regions.forms import RegionRegistryForm
from regions.guards import agency_page
from regions.models import Region
from regions.register import region_save, registry_values
from regions.roles import is_officer


@agency_page
def region_list(request: HttpRequest) -> HttpResponse:
    regions = Region.objects.order_by("code")
    context = {"regions": regions, "can_write": is_officer(request.user)}
    return render(request, "regions/register_list.html", context)


def _edit(request: HttpRequest, region: Region | None) -> HttpResponse:
    before = registry_values(region) if region is not None else None
    if request.method == "POST":
        form = RegionRegistryForm(request.POST, instance=region)
        if form.is_valid():
            saved = region_save(region=form.instance, before=before, by=request.user)
            messages.success(request, _("%(name)s är sparad.") % {"name": saved.name})
            return redirect("regions:register_list")
        status = 400
    else:
        form = RegionRegistryForm(instance=region)
        status = 200
    context = {"form": form, "region": region, "can_write": is_officer(request.user)}
    return render(request, "regions/register_edit.html", context, status=status)


@agency_page
def region_add(request: HttpRequest) -> HttpResponse:
    if not is_officer(request.user):
        raise PermissionDenied(_("Endast handläggare kan lägga till regioner."))
    return _edit(request, None)


@agency_page
def region_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit(request, get_object_or_404(Region, pk=pk))
