from __future__ import annotations

from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from bounty.errors import DomainError
from bounty.forms import SignupForm
from bounty.services.users import user_create
from bounty.views.base import form_page


def signup(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST or None)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    page = form_page(request, "registration/signup.html", {"form": form, "next": next_url}, form=form)
    if request.method == "POST" and form.is_valid():
        try:
            user = user_create(
                username=form.cleaned_data["username"],
                email=form.cleaned_data["email"] or "",
                password=form.cleaned_data["password1"],
            )
        except DomainError as error:
            return page.refuse(error)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        safe = url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()})
        return redirect(next_url if next_url and safe else "home")
    return page.render(status=400 if form.errors else 200)
