"""The city's defaults: two teams, topics with Dutch and English keywords, the routing rule, service levels.

All of it is data: a lead changes it in the app, not in code.
"""

from django.db import migrations

TEAMS = [("webcare", "Webcareteam"), ("social", "Social mediateam Communicatie")]

# slug, name, public space, keywords (Dutch and English)
TOPICS = [
    ("litter", "Zwerfafval en grofvuil", True,
     "zwerfafval\nafval op straat\nvuilniszak\ngrofvuil\nbijplaatsing\ndumping\nlitter\nrubbish\n"
     "trash\nbin bags\nbulky waste\ndumped"),
    ("waste_collection", "Afvalinzameling", True,
     "afvalinzameling\nafval\ncontainer\ncontainers\nkliko\nglasbak\npapierbak\nniet opgehaald\n"
     "afvalpas\nwaste collection\nwaste\nbins\nnot collected\nrecycling"),
    ("lighting", "Straatverlichting", True,
     "lantaarn\nlantaarnpaal\nstraatverlichting\nstraatlamp\nverlichting\nstreet light\nstreetlight\n"
     "lamp post\nlamppost"),
    ("greenery", "Bomen en groen", True,
     "boom\nbomen\ntak\ntakken\ngras\nmaaien\nsnoeien\nplantsoen\nperk\ntree\ntrees\nbranch\ngrass\n"
     "mowing\npruning"),
    ("roads", "Straten en stoepen", True,
     "stoep\nstoeptegel\ngat in de weg\nkuil\nwegdek\nfietspad\nputdeksel\nput\npothole\npavement\n"
     "sidewalk\nroad surface\ncycle path\nmanhole"),
    ("street_furniture", "Straatmeubilair", True,
     "bankje\nprullenbak\nafvalbak\npaaltje\nhek\nspeeltoestel\nbench\nlitter bin\nbollard\n"
     "playground"),
    ("nuisance", "Overlast op straat", True,
     "overlast\ngeluidsoverlast\nlawaai\nherrie\nhangjongeren\nnuisance\nnoise\nloud music"),
    ("gas_electricity", "Gas en elektriciteit op straat", True,
     "gas\ngaslucht\nkabel\nstroomkabel\nelectricity\ncable\nwire"),
    ("parking", "Parkeren", False,
     "parkeren\nparkeervergunning\nparkeerkaart\nparkeerplaats\nbekeuring\nnaheffing\nparking\n"
     "parking permit\nparking fine\nparking ticket"),
    ("travel_documents", "Paspoort en ID-kaart", False,
     "paspoort\nidentiteitskaart\nid-kaart\nid kaart\nrijbewijs\nreisdocument\npassport\nid card\n"
     "identity card\ndriving licence\ndriver's license"),
    ("civil_affairs", "Burgerzaken", False,
     "verhuizing\nverhuizen\nadreswijziging\nuittreksel\ngeboorteaangifte\ntrouwen\nhuwelijk\nbrp\n"
     "moving house\nchange of address\nbirth certificate\nmarriage\nregister"),
    ("taxes", "Belastingen", False,
     "belasting\naanslag\nozb\nafvalstoffenheffing\nkwijtschelding\nwoz\ntax\ntaxes\n"
     "tax assessment"),
    ("income_support", "Werk en inkomen", False,
     "uitkering\nbijstand\ntoeslag\nschuldhulp\nschulden\nstadspas\nbenefit\nbenefits\nwelfare\ndebt"),
    ("housing", "Wonen", False,
     "woning\nhuurwoning\nwoningzoekende\nsociale huur\nurgentie\nhousing\nrental\napartment"),
    ("permits", "Vergunningen", False,
     "vergunning\nomgevingsvergunning\nevenementenvergunning\nterrasvergunning\npermit\nlicence"),
]

SERVICE_LEVELS = [  # channel, first response, resolution (office minutes; an office day is 600)
    ("whatsapp", 60, 1200),
    ("x", 60, 1200),
    ("facebook", 120, 1800),
    ("instagram", 120, 1800),
]


def create_defaults(apps, schema_editor):
    Team = apps.get_model("inbox", "Team")
    Topic = apps.get_model("inbox", "Topic")
    RoutingRule = apps.get_model("inbox", "RoutingRule")
    ServiceLevel = apps.get_model("inbox", "ServiceLevel")
    teams = {slug: Team.objects.get_or_create(slug=slug, defaults={"name": name})[0] for slug, name in TEAMS}
    for slug, name, public_space, keywords in TOPICS:
        Topic.objects.get_or_create(
            slug=slug, defaults={"name": name, "public_space": public_space, "keywords": keywords}
        )
    if not RoutingRule.objects.exists():
        RoutingRule.objects.create(
            position=10, name="Alle WhatsApp-berichten", channel="whatsapp", team=teams["webcare"]
        )
        RoutingRule.objects.create(
            position=20, name="Openbare ruimte, elk kanaal", public_space=True, team=teams["webcare"]
        )
        RoutingRule.objects.create(position=30, name="Al het andere", team=teams["social"])
    for channel, first_response, resolution in SERVICE_LEVELS:
        ServiceLevel.objects.get_or_create(
            channel=channel,
            defaults={"first_response_minutes": first_response, "resolution_minutes": resolution},
        )


class Migration(migrations.Migration):
    dependencies = [("inbox", "0001_initial")]
    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
