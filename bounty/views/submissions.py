from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from bounty.engine_adapter import group_describe
from bounty.errors import DomainError
from bounty.forms import SubmissionForm
from bounty.lifecycle import submission_cancel, submission_create
from bounty.models import Submission
from bounty.selectors.competitions import (
    competition_get,
    membership_get,
    terms_accepted,
)
from bounty.selectors.quotas import team_quota
from bounty.selectors.rules import competition_rules
from bounty.selectors.submissions import (
    submission_get_visible,
    submission_list_for_team,
    submission_status_data,
)
from bounty.views.base import current_user, form_page, json_view
from scoring.groups import MAX_TEXT


@login_required
def submit(request: HttpRequest, slug: str) -> HttpResponse:
    user = current_user(request)
    competition = competition_get(slug=slug, user=user)
    chosen = request.GET.get("group", "")[:MAX_TEXT]  # a group picked on the Explore tab
    form = SubmissionForm(request.POST or None, request.FILES or None, initial={"group_text": chosen})
    context = {
        "competition": competition,
        "rules": competition_rules(competition=competition),
        "form": form,
        "membership": membership_get(competition=competition, user=user),
        "terms_ok": terms_accepted(competition=competition, user=user),
        "quota": team_quota(competition=competition, user=user),
    }
    page = form_page(request, "submissions/submit.html", context, form=form)
    if request.method == "POST" and form.is_valid():
        try:
            submission = submission_create(
                competition=competition,
                user=user,
                group_text=form.cleaned_data["group_text"] or "",
                model_file=form.cleaned_data["model_file"],
                group_model_file=form.cleaned_data["group_model_file"],
                description=form.cleaned_data["description"] or "",
                precheck=True,
            )
        except DomainError as error:
            return page.refuse(error)
        return redirect("submission_detail", submission_id=submission.pk)
    return page.render(status=400 if form.errors else 200)


@login_required
@require_GET
def my_submissions(request: HttpRequest, slug: str) -> HttpResponse:
    user = current_user(request)
    competition = competition_get(slug=slug, user=user)
    membership = membership_get(competition=competition, user=user)
    submissions = submission_list_for_team(team=membership.team) if membership else []
    context = {"competition": competition, "membership": membership, "submissions": submissions}
    return render(request, "submissions/mine.html", context)


@login_required
@require_GET
def submission_detail(request: HttpRequest, submission_id: int) -> HttpResponse:
    submission, organizer = submission_get_visible(submission_id=submission_id, user=current_user(request))
    context = {
        "competition": submission.competition,
        "s": submission,
        "words": group_describe(submission.group_tree),
        "show_figures": organizer,
    }
    return render(request, "submissions/detail.html", context)


@json_view
@require_GET
def submission_status(request: HttpRequest, submission_id: int) -> JsonResponse:
    if not request.user.is_authenticated:
        raise DomainError("login_required", "Please log in.")
    submission, organizer = submission_get_visible(submission_id=submission_id, user=request.user)
    return JsonResponse(submission_status_data(submission=submission, show_figures=organizer))


@login_required
@require_POST
def submission_withdraw(request: HttpRequest, submission_id: int) -> HttpResponse:
    user = current_user(request)
    submission = get_object_or_404(Submission.objects.select_related("competition"), pk=submission_id)
    try:
        submission_cancel(submission=submission, user=user)
    except DomainError as error:  # e.g. a worker claimed it meanwhile: say so on the list
        if error.code == "not_found":
            raise
        messages.error(request, error.message)
    return redirect("my_submissions", slug=submission.competition.slug)
