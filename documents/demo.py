"""Demo documents: the portal's rules, forms to download, budgets and reports per community."""

import datetime

from django.core.files.base import ContentFile

from portal.pdf import render_pdf

from .models import Document

C = Document.Category


def _document(ctx, *, title, category, community, published_on, template, context, description=""):
    if Document.objects.filter(title=title, community=community).exists():
        return
    pdf = render_pdf(template, {"company": ctx.company, "title": title, **context})
    document = Document(
        title=title,
        category=category,
        community=community,
        published_on=published_on,
        description=description,
        created_by=ctx.users["staff"],
    )
    document.file.save("dokument.pdf", ContentFile(pdf), save=False)
    document.save()


def seed(ctx):
    """Add this tab's demo data. ``ctx`` holds the demo register (see portal.demo)."""
    lipowa, sloneczna = ctx.communities["lipowa"], ctx.communities["sloneczna"]
    generic = "documents/pdf/demo_document.html"
    _document(
        ctx,
        title="Wniosek o aktualizację danych kontaktowych",
        category=C.FORMS,
        community=None,
        published_on=datetime.date(2024, 3, 1),
        template="documents/pdf/contact_update_form.html",
        context={},
        description="Wypełniony i podpisany wniosek złóż w biurze lub prześlij skan e-mailem.",
    )
    _document(
        ctx,
        title="Regulamin Strefy Klienta",
        category=C.REGULATIONS,
        community=None,
        published_on=datetime.date(2024, 1, 2),
        template=generic,
        context={
            "issuer": ctx.company.name,
            "paragraphs": [
                "§ 1. Regulamin określa rodzaje i zakres usług świadczonych drogą elektroniczną "
                "w Strefie Klienta.",
                "§ 2. Dostęp do Strefy Klienta wymaga indywidualnego loginu i hasła wydanego "
                "przez zarządcę za potwierdzeniem odbioru.",
                "§ 3. Klient może w każdej chwili zrezygnować z korzystania ze Strefy Klienta.",
            ],
        },
    )
    for community in (lipowa, sloneczna):
        _document(
            ctx,
            title=f"Regulamin porządku domowego – {community.name}",
            category=C.REGULATIONS,
            community=community,
            published_on=datetime.date(2022, 6, 15),
            template=generic,
            context={
                "issuer": community.name,
                "paragraphs": [
                    "Cisza nocna obowiązuje w godzinach 22:00–6:00.",
                    "Rowery i wózki przechowuje się w wyznaczonych pomieszczeniach.",
                ],
            },
        )
        for year in (2025, 2026):
            _document(
                ctx,
                title=f"Plan gospodarczy na rok {year} – {community.name}",
                category=C.BUDGETS,
                community=community,
                published_on=datetime.date(year - 1, 12, 10),
                template=generic,
                context={
                    "issuer": community.name,
                    "paragraphs": [f"Plan przychodów i kosztów na rok {year}."],
                    "rows": [
                        ("Zaliczki na koszty zarządu", "184 200,00 zł"),
                        ("Fundusz remontowy", "96 000,00 zł"),
                        ("Media (woda, ścieki, c.o.)", "142 750,00 zł"),
                    ],
                },
            )
        _document(
            ctx,
            title=f"Sprawozdanie finansowe za rok 2025 – {community.name}",
            category=C.REPORTS,
            community=community,
            published_on=datetime.date(2026, 3, 20),
            template=generic,
            context={
                "issuer": community.name,
                "paragraphs": ["Bilans i rachunek wyników za rok obrotowy 2025."],
                "rows": [("Przychody", "418 930,12 zł"), ("Koszty", "402 117,80 zł")],
            },
        )
    _document(
        ctx,
        title="Wzór pełnomocnictwa do głosowania",
        category=C.FORMS,
        community=lipowa,
        published_on=datetime.date(2025, 2, 3),
        template=generic,
        context={
            "issuer": lipowa.name,
            "paragraphs": [
                "Ja, niżej podpisany(a) ……………………, upoważniam ……………………… do głosowania "
                "w moim imieniu nad uchwałami Wspólnoty Mieszkaniowej Lipowa 5.",
            ],
        },
    )
