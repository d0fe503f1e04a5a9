"""POST /api/v1/auth/token/: a person's API token for their username and password."""

from __future__ import annotations

from typing import Any

from rest_framework.authtoken.views import ObtainAuthToken


class ObtainToken(ObtainAuthToken):
    """DRF's view, with the plain Django request handed to authenticate().

    django-axes marks a locked-out login on the request it is given; on DRF's
    wrapper the mark would be lost and AxesMiddleware would let the 400 through.
    """

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        context["request"] = self.request._request
        return context


obtain_auth_token = ObtainToken.as_view()
