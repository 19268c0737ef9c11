"""A starting list of danger words, each with its level; administrators keep it in the
admin afterwards. Red: a life or the public in danger now; orange: threats of violence,
collective action or petitioning beyond the city; yellow and blue: escalation to watch."""
from django.db import migrations

WORDS = {
    "red": ["自杀", "轻生", "不想活了", "跳楼", "跳河", "割腕", "喝农药", "同归于尽", "砍人", "杀人", "持刀",
            "报复社会", "爆炸", "煤气泄漏", "燃气泄漏", "闻到煤气味", "着火", "起火", "浇汽油"],
    "orange": ["报复", "进京上访", "集体上访", "拉横幅", "堵路", "围堵", "打人", "威胁"],
    "yellow": ["上访", "静坐", "讨说法"],
    "blue": ["曝光"],
}


def seed(apps, schema_editor):
    DangerWord = apps.get_model("risk", "DangerWord")
    present = set(DangerWord.objects.values_list("word", flat=True))
    DangerWord.objects.bulk_create([DangerWord(word=word, level=level) for level, words in WORDS.items()
                                    for word in words if word not in present])


def unseed(apps, schema_editor):
    DangerWord = apps.get_model("risk", "DangerWord")
    DangerWord.objects.filter(word__in=[word for words in WORDS.values() for word in words]).delete()


class Migration(migrations.Migration):
    dependencies = [("risk", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
