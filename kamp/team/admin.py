from django.contrib import admin

from .models import AccountTeamMember

admin.site.register(AccountTeamMember)
