from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PhysioConfig(AppConfig):
    name = "physio"
    verbose_name = _("Accounts and clinics")
