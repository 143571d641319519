"""Fee notices ("zawiadomienie o wysokości opłat") from the finance ledger.

Reads the ledger only through ``finance.selectors`` (``charges_for_month``).
"""

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from finance.models import Fund
from finance.selectors import charges_for_month, fund_accounts, fund_payment_account
from lib.validators import format_nrb
from portal.pdf import render_pdf
from premises.models import Premises

from .models import FeeNoticeRun, Letter
from .selectors import premises_recipients
from .services import letter_create, letter_publish

# Premises per worker task: a big run is split so that every worker takes a share of its PDFs
# (issue 17: 10 000 notices in one task took 16 min on one core).
FEE_NOTICE_CHUNK = 250


@transaction.atomic
def fee_notice_run_generate(*, run: FeeNoticeRun, premises_ids=None) -> list[Letter]:
    """One draft letter with a PDF notice per premises that has charges in the run's month.

    ``premises_ids``: only these premises (a worker's chunk of the run); those that have their
    notice already (a retried chunk) are skipped.
    """
    community = run.community
    premises = Premises.objects.filter(building__community=community)
    if premises_ids is None:
        if run.letters.exists():
            raise ValidationError(_("Zawiadomienia dla tego zestawienia zostały już wygenerowane."))
    else:
        premises = premises.filter(pk__in=list(premises_ids)).exclude(
            pk__in=run.letters.values("premises_id")
        )
    premises_by_id = {p.pk: p for p in premises.select_related("building__community__company")}
    date = run.effective_from
    charges = charges_for_month(premises_ids=list(premises_by_id), year=date.year, month=date.month)
    items = defaultdict(list)
    for charge in charges:
        items[charge.premises_id].append(charge)
    totals = dict(charges.order_by().values_list("premises_id").annotate(total=Sum("amount")))
    own = fund_accounts([community.pk]).get(community.pk, {})
    recipients = premises_recipients(items.keys(), on=date)
    letters = []
    subject = _("Zawiadomienie o wysokości opłat od %(date)s") % {"date": f"{date:%d.%m.%Y}"}
    for premises_id, premises_items in items.items():
        premises, recipient = premises_by_id[premises_id], recipients.get(premises_id)
        if recipient is None:
            continue
        context = {
            "community": community,
            "premises": premises,
            "recipient": recipient,
            "sections": notice_sections(premises, premises_items, own),
            "total": totals[premises_id],
            "run": run,
            "date": date,
            "issued": timezone.localdate(),
        }
        pdf = render_pdf("correspondence/pdf/fee_notice.html", context)
        letters.append(
            letter_create(
                community=community,
                premises=premises,
                recipient=recipient,
                kind=Letter.Kind.FEE_NOTICE,
                subject=subject,
                body=run.note,
                created_by=run.created_by,
                attachments=[(f"zawiadomienie-{date:%Y-%m}-lokal-{premises.number}.pdf", pdf)],
                publish=False,
                fee_notice_run=run,
            )
        )
    return letters


def notice_sections(premises: Premises, items: list, own: dict[str, str]) -> list[dict]:
    """The notice's charges with the account to pay them to: one section, or one per fund
    where the community keeps a fund on its own account (each with its subtotal)."""
    if not own:
        account = fund_payment_account(premises, Fund.OPERATING, own)
        return [{"label": "", "items": items, "total": None, "account": format_nrb(account)}]
    sections = []
    for fund, label in Fund.choices:
        fund_items = [charge for charge in items if charge.fund == fund]
        if fund_items:
            sections.append(
                {
                    "label": label,
                    "items": fund_items,
                    "total": sum(charge.amount for charge in fund_items),
                    "account": format_nrb(fund_payment_account(premises, fund, own)),
                }
            )
    return sections


def fee_notice_run_has_charges(*, run: FeeNoticeRun) -> bool:
    """Whether the run's month has any charges in its community (so notices will be made)."""
    date = run.effective_from
    premises_ids = Premises.objects.filter(building__community=run.community).values("pk")
    return charges_for_month(premises_ids=premises_ids, year=date.year, month=date.month).exists()


def fee_notice_run_generate_later(*, run: FeeNoticeRun) -> None:
    """Queue the run's notices for the workers once the run is saved: one task per
    ``FEE_NOTICE_CHUNK`` premises, so several workers share a big run."""
    from .tasks import fee_notice_run_build as build_task

    date = run.effective_from
    premises_ids = sorted(
        set(
            charges_for_month(
                premises_ids=Premises.objects.filter(building__community=run.community).values(
                    "pk"
                ),
                year=date.year,
                month=date.month,
            )
            .order_by()
            .values_list("premises_id", flat=True)
        )
    )
    chunks = [
        premises_ids[start : start + FEE_NOTICE_CHUNK]
        for start in range(0, len(premises_ids), FEE_NOTICE_CHUNK)
    ]
    for chunk in chunks:
        transaction.on_commit(
            lambda chunk=chunk: build_task.enqueue(run_id=run.pk, premises_ids=chunk)
        )


def fee_notice_run_build(*, run_id: int, premises_ids=None) -> int:
    """The worker's side: generate the run's notices (or a chunk's), skipping what was done
    already (a retried task makes no copies)."""
    run = FeeNoticeRun.objects.filter(pk=run_id).select_related("community").first()
    if run is None:
        return 0
    if premises_ids is None:
        if run.letters.exists():
            return 0
        return len(fee_notice_run_generate(run=run))
    return len(fee_notice_run_generate(run=run, premises_ids=premises_ids))


@transaction.atomic
def fee_notice_run_publish(*, run: FeeNoticeRun) -> int:
    """Publish every draft notice of the run: residents see it, e-mail or post goes out."""
    letters = list(run.letters.filter(published_at__isnull=True).select_related("community"))
    now = timezone.now()
    for letter in letters:
        letter_publish(letter=letter, now=now)
    run.published_at = now
    run.save(update_fields=["published_at"])
    return len(letters)
