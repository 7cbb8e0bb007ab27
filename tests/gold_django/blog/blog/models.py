"""Gold (Django): models, fields, managers, querysets and expressions."""
from django.conf import settings  # expect: django.conf.settings import
from django.db import models
from django.db.models import Count, F, Q  # expect: django.db.models.aggregates.Count import; django.db.models.expressions.F import; django.db.models.query_utils.Q import
from django.utils import timezone


class Author(models.Model):  # expect: django.db.models.base.Model subclass
    name = models.CharField(max_length=100)  # expect: django.db.models.fields.CharField call
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)  # expect: django.db.models.fields.related.OneToOneField call; django.conf.settings attribute; django.db.models.deletion.CASCADE value

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class PublishedManager(models.Manager):  # expect: django.db.models.manager.Manager subclass
    def get_queryset(self):
        return super().get_queryset().filter(published__lte=timezone.now())  # expect: django.utils.timezone.now call


class Post(models.Model):  # expect: django.db.models.base.Model subclass
    title = models.CharField("title", max_length=200)  # expect: django.db.models.fields.CharField call
    body = models.TextField(blank=True)  # expect: django.db.models.fields.TextField call
    author = models.ForeignKey(Author, related_name="posts", on_delete=models.PROTECT)  # expect: django.db.models.fields.related.ForeignKey call; django.db.models.deletion.PROTECT value
    published = models.DateTimeField(default=timezone.now)  # expect: django.db.models.fields.DateTimeField call; django.utils.timezone.now value
    views = models.PositiveIntegerField(default=0)  # expect: django.db.models.fields.PositiveIntegerField call

    objects = models.Manager()  # expect: django.db.models.manager.Manager call
    live = PublishedManager()

    def bump(self):
        Post.objects.filter(pk=self.pk).update(views=F("views") + 1)  # expect: django.db.models.expressions.F call

    @classmethod
    def search(cls, text):
        return cls.objects.filter(Q(title__icontains=text) | Q(body__icontains=text))  # expect: django.db.models.query_utils.Q call

    @classmethod
    def busiest(cls):
        return Author.objects.annotate(total=Count("posts")).order_by("-total")  # expect: django.db.models.aggregates.Count call
