from django.contrib import admin

from kamp.core.admin import AuditedAdmin

from .models import AccountTeamMember

admin.site.register(AccountTeamMember, AuditedAdmin)
