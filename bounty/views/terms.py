from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from bounty.attachments import attachment
from bounty.errors import DomainError
from bounty.forms import TermsForm
from bounty.selectors.competitions import competition_get, terms_accepted
from bounty.selectors.downloads import train_baseline_table, train_split
from bounty.services.terms import terms_accept
from bounty.views.base import current_user, form_page


@login_required
def terms_page(request: HttpRequest, slug: str) -> HttpResponse:
    user = current_user(request)
    competition = competition_get(slug=slug, user=user)
    form = TermsForm(request.POST or None, initial={"terms_version": competition.terms_version})
    context = {
        "competition": competition,
        "form": form,
        "accepted": terms_accepted(competition=competition, user=user),
    }
    page = form_page(request, "competitions/terms.html", context, form=form)
    if request.method == "POST" and form.is_valid():
        try:
            terms_accept(competition=competition, user=user, terms_version=form.cleaned_data["terms_version"])
        except DomainError as error:
            return page.refuse(error)
        return redirect("competition", slug=competition.slug)
    return page.render(status=400 if form.errors else 200)


@login_required
@require_GET
def train_download(request: HttpRequest, slug: str) -> HttpResponseBase:
    """The public train split, only to users who accepted the current terms."""
    user = current_user(request)
    return attachment(train_split(competition=competition_get(slug=slug, user=user), user=user))


@login_required
@require_GET
def train_baseline_download(request: HttpRequest, slug: str) -> HttpResponseBase:
    """The base model's predictions on the public train rows (same gate as the rows themselves)."""
    user = current_user(request)
    return attachment(train_baseline_table(competition=competition_get(slug=slug, user=user), user=user))
