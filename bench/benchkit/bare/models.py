from django.db import models


class BareRow(models.Model):
    """One row a request: what the bare view inserts."""

    text = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.text
