//! CSV export of the admin ledger: the filtered rows, newest first, streamed page by page (keyset), so an
//! export of 100 000 rewards never sits in memory.
use crate::domain::admin::{AdminReward, RewardFilter};
use crate::domain::cursor::Cursor;
use crate::server::db;
use futures::stream::{self, Stream};
use sqlx::PgPool;

const CHUNK: i64 = 1000;

pub const HEADER: &str = "id,orderReference,kind,status,rail,referralCode,referrerEmail,referrerWallet,buyerEmail,fiatAmount,currency,amountWei,nettedWei,clawbackWei,oraclePrice,oracleDecimals,oracleSource,txHash,blockNumber,lastError,rejectedReason,createdAt\n";

/// One field: quoted when it holds a separator, a quote or a line break; a leading `= + - @` is defused so
/// spreadsheets do not run it as a formula.
pub fn field(raw: &str) -> String {
    let defused = if raw.starts_with(['=', '+', '-', '@']) {
        format!("'{raw}")
    } else {
        raw.to_string()
    };
    if defused.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", defused.replace('"', "\"\""))
    } else {
        defused
    }
}

pub fn line(r: &AdminReward) -> String {
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let fields = [
        r.id.clone(),
        r.order_reference.clone(),
        format!("{:?}", r.kind).to_lowercase(),
        r.status.as_str().to_string(),
        r.rail.as_str().to_string(),
        r.referral_code.clone(),
        opt(&r.referrer_email),
        r.referrer_wallet.clone(),
        opt(&r.buyer_email),
        r.fiat_amount.to_string(),
        r.currency.clone(),
        r.amount_wei.clone(),
        r.netted_wei.clone(),
        opt(&r.clawback_wei),
        opt(&r.oracle_price),
        r.oracle_decimals.map(|d| d.to_string()).unwrap_or_default(),
        opt(&r.oracle_source),
        opt(&r.tx_hash),
        r.block_number.map(|b| b.to_string()).unwrap_or_default(),
        opt(&r.last_error),
        opt(&r.rejected_reason),
        r.created_at.to_rfc3339(),
    ];
    let mut out = fields
        .iter()
        .map(|f| field(f))
        .collect::<Vec<_>>()
        .join(",");
    out.push('\n');
    out
}

/// The header, then one chunk of lines per database page; a failing page ends the stream with its error.
pub fn stream(
    pool: PgPool,
    filter: RewardFilter,
) -> impl Stream<Item = Result<String, sqlx::Error>> {
    let header = stream::once(async { Ok(HEADER.to_string()) });
    let pages = stream::try_unfold(Some(None::<Cursor>), move |state| {
        let (pool, filter) = (pool.clone(), filter.clone());
        async move {
            let Some(after) = state else { return Ok(None) };
            let rows = db::reward_admin::page(&pool, &filter, after.as_ref(), CHUNK).await?;
            if rows.is_empty() {
                return Ok(None);
            }
            let next = (rows.len() as i64 == CHUNK).then(|| {
                rows.last().map(|r| Cursor {
                    created_at: r.created_at,
                    id: r.id.clone(),
                })
            });
            let text: String = rows.iter().map(line).collect();
            Ok(Some((text, next.flatten().map(Some))))
        }
    });
    futures::StreamExt::chain(header, pages)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_and_formulas_defused() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(field("line\nbreak"), "\"line\nbreak\"");
        assert_eq!(HEADER.matches(',').count(), 21);
    }
}
