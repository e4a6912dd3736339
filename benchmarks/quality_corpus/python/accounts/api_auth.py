"""REST API authentication classes and views (Django REST Framework)."""

from django.contrib.auth import update_session_auth_hash
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.http import JsonResponse
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.decorators import api_view, authentication_classes
from rest_framework.response import Response


class CsrfExemptSessionAuthentication(SessionAuthentication):
    def enforce_csrf(self, request):
        return None  # VULN: csrf


class StrictSessionAuthentication(SessionAuthentication):
    def enforce_csrf(self, request):
        return super().enforce_csrf(request)  # SAFE: csrf


@api_view(["POST"])
@authentication_classes([CsrfExemptSessionAuthentication])
def change_password(request):
    request.user.set_password(request.data["new_password"])
    request.user.save()
    update_session_auth_hash(request, request.user)
    return Response({"ok": True})


@method_decorator(csrf_exempt, name="dispatch")  # VULN: csrf
class TransferView(View):
    def post(self, request):
        if not request.user.is_authenticated:
            return JsonResponse({"error": "login required"}, status=401)
        request.user.wallet.transfer(to=request.POST["to"], amount=int(request.POST["amount"]))
        return JsonResponse({"ok": True})


# Mobile clients authenticate with "Authorization: Token ..." only; no cookies are involved.
@csrf_exempt  # SAFE: csrf
@api_view(["POST"])
@authentication_classes([TokenAuthentication])
def mobile_register_device(request):
    request.user.devices.create(push_token=request.data["push_token"])
    return Response({"ok": True})
