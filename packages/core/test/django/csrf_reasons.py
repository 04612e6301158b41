"""Django's CsrfViewMiddleware reasons, for the CSRF parity test on either stack: reads JSON cases {url, cookie?,
header?, form?, origin?, referer?} on stdin and prints, per case, null (accepted) or Django's reason string.
CSRF_TRUSTED_ORIGINS holds app.test in the form the running Django reads (bare host on 3.2, with its scheme on 4.0+).
"""
import json
import sys

import django
from django.conf import settings

settings.configure(
    SECRET_KEY="portcullis-csrf-reasons-not-secret",
    DEBUG=False,
    ALLOWED_HOSTS=["app.test"],
    INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth"],
    CSRF_TRUSTED_ORIGINS=["app.test"] if django.VERSION < (4, 0) else ["https://app.test"],
)
django.setup()

from django.http import HttpResponse  # noqa: E402
from django.middleware.csrf import CsrfViewMiddleware  # noqa: E402
from django.test import RequestFactory  # noqa: E402

factory = RequestFactory()


def reason(case):
    secure = case["url"].startswith("https://")
    extra = {"HTTP_HOST": "app.test"}
    if case.get("cookie") is not None:
        extra["HTTP_COOKIE"] = "csrftoken=" + case["cookie"]
    for key, meta in (("header", "HTTP_X_CSRFTOKEN"), ("origin", "HTTP_ORIGIN"), ("referer", "HTTP_REFERER")):
        if case.get(key) is not None:
            extra[meta] = case[key]
    data = {"csrfmiddlewaretoken": case["form"]} if case.get("form") is not None else {}
    request = factory.post("/", data=data, secure=secure, **extra)
    middleware = CsrfViewMiddleware(lambda r: HttpResponse())
    middleware._reject = lambda request, why: why  # the reason instead of the 403 page
    middleware.process_request(request)
    return middleware.process_view(request, lambda r: HttpResponse(), (), {})


print(json.dumps([reason(case) for case in json.load(sys.stdin)]))
