"""Fitting a model for a group on the site, without code: the form, the fitted model's page with its
estimate on held-out train rows, and its one-click submission (``bounty.lifecycle.fit``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from bounty.errors import DomainError
from bounty.forms import FitForm
from bounty.lifecycle.fit import fit_request, fit_submit
from bounty.models import FitJob
from bounty.selectors.competitions import competition_get
from bounty.views.base import current_user, form_page
from scoring.fitting import FAMILIES
from scoring.groups import MAX_TEXT


@login_required
@require_http_methods(["GET", "POST"])
def fit_page(request: HttpRequest, slug: str) -> HttpResponse:
    user = current_user(request)
    competition = competition_get(slug=slug, user=user)
    initial = {"group_text": request.GET.get("group", "")[:MAX_TEXT]}
    form = FitForm(request.POST or None, initial=initial)
    context = {"competition": competition, "form": form, "families": FAMILIES}
    page = form_page(request, "submissions/fit.html", context, form=form)
    if request.method == "POST" and form.is_valid():
        family, _, choice = form.cleaned_data["model"].partition(":")
        try:
            job = fit_request(competition=competition, user=user, group_text=form.cleaned_data["group_text"],
                              family=family, choice=choice)  # fmt: skip
        except DomainError as error:
            return page.refuse(error)
        return redirect("fit_detail", job_id=job.pk)
    return page.render(status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def fit_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    user = current_user(request)
    job = get_object_or_404(FitJob.objects.select_related("competition", "team"), pk=job_id)
    if not job.team.memberships.filter(user=user).exists():
        raise DomainError("not_found", "No such fitted model.")
    context: dict[str, object] = {
        "competition": job.competition,
        "job": job,
        "family": FAMILIES.get(job.family),
    }
    if request.method == "POST":
        try:
            submission = fit_submit(job=job, user=user)
        except DomainError as error:
            context["error"] = error
            return render(request, "submissions/fit_detail.html", context, status=error.status)
        return redirect("submission_detail", submission_id=submission.pk)
    return render(request, "submissions/fit_detail.html", context)
