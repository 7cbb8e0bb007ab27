"""Gold (Django): forms, validation errors and the forms module."""
from django import forms
from django.core.exceptions import ValidationError  # expect: django.core.exceptions.ValidationError import

from .models import Post


class PostForm(forms.ModelForm):  # expect: django.forms.models.ModelForm subclass
    tags = forms.CharField(required=False)  # expect: django.forms.fields.CharField call

    class Meta:
        model = Post
        fields = ["title", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 4})}  # expect: django.forms.widgets.Textarea call

    def clean_title(self):
        title = self.cleaned_data["title"]
        if not title.strip():
            raise ValidationError("empty title")  # expect: django.core.exceptions.ValidationError raise
        return title
