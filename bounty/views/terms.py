from __future__ import annotations

import io

import numpy as np
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from bounty.engine_adapter import train_baseline, train_baseline_array
from bounty.errors import DomainError
from bounty.forms import TermsForm
from bounty.models import Competition
from bounty.selectors.competitions import competition_get, terms_accepted
from bounty.services.terms import terms_accept
from bounty.storage import train_path
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
        terms_accept(competition=competition, user=user, terms_version=form.cleaned_data["terms_version"])
        return redirect("competition", slug=competition.slug)
    return page.render(status=400 if form.errors else 200)


@login_required
@require_GET
def train_download(request: HttpRequest, slug: str) -> FileResponse:
    """The public train split, only to users who accepted the current terms."""
    competition = _data_gate(request, slug)
    path = train_path(competition.pk)
    if not path.is_file():
        raise DomainError("not_found", "The training data is not available yet.", status=404)
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"{competition.slug}-train.csv",
        content_type="text/csv",
    )


def _data_gate(request: HttpRequest, slug: str) -> Competition:
    user = current_user(request)
    competition = competition_get(slug=slug, user=user)
    if not terms_accepted(competition=competition, user=user):
        raise DomainError("terms_not_accepted", "Accept the current terms to download the data.", status=403)
    return competition


@login_required
@require_GET
def train_baseline_download(request: HttpRequest, slug: str) -> HttpResponse:
    """The base model's predictions on the public train rows (same gate as the rows themselves)."""
    competition = _data_gate(request, slug)
    frame = train_baseline(competition=competition)
    response = HttpResponse(frame.to_csv(index=False), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{competition.slug}-train-baseline.csv"'
    return response


@login_required
@require_GET
def train_baseline_npy(request: HttpRequest, slug: str) -> HttpResponse:
    """The same predictions as the engine holds them (class codes, probabilities or values), as .npy."""
    competition = _data_gate(request, slug)
    buffer = io.BytesIO()
    np.save(buffer, train_baseline_array(competition=competition), allow_pickle=False)
    response = HttpResponse(buffer.getvalue(), content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{competition.slug}-train-baseline.npy"'
    return response
