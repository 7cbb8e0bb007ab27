"""Gold (Django): the admin through the module attribute form."""
from django.contrib import admin

from .models import Author, Post


@admin.register(Post)  # expect: django.contrib.admin.decorators.register decorator
class PostAdmin(admin.ModelAdmin):  # expect: django.contrib.admin.options.ModelAdmin subclass
    list_display = ("title", "author", "published")
    search_fields = ["title"]


class PostInline(admin.TabularInline):  # expect: django.contrib.admin.options.TabularInline subclass
    model = Post


admin.site.register(Author)  # expect: django.contrib.admin.sites.site attribute
