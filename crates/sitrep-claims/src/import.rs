//! Claims from files: sitrep's claims CSV and GTD's claim fields.
//!
//! **Claims CSV** (header required, any column order; `incident` and `stance`
//! required, the rest optional):
//!
//! | column | meaning |
//! |---|---|
//! | `id` | stable claim id (default: derived from incident, claimant, stance, target, date, reference) |
//! | `incident` | `SOURCE:EVENT_ID`, e.g. `curated-afg:AFG-CUR-0006` |
//! | `claimant` | who makes the statement, as the source names them |
//! | `stance` | `claims`, `denies`, `attributes`, `disputes` or `frames` |
//! | `target` | who is held responsible (for `attributes`) |
//! | `date` | YYYY-MM-DD |
//! | `channel` | `statement`, `social_media`, `video`, `spokesperson`, `media_report`, or free text (guessed) |
//! | `reported_by` | the reporting source |
//! | `reference` | URL or other reference |
//! | `grade` | Admiralty grade, e.g. `B2` |
//! | `statement` | wording or summary |
//!
//! **GTD** (Global Terrorism Database export; columns `eventid`, `gname`, `gname2`,
//! `gname3`, `claimed`, `claimmode`, `claim2`, `claimmode2`, `claim3`,
//! `claimmode3`, `compclaim`, optional `guncertain1..3`, `iyear`/`imonth`/`iday`,
//! `country_txt`): each named group becomes a claim — `claims` where its claim flag
//! is 1, otherwise `attributes` (GTD's coders attribute the attack to it);
//! `compclaim = 1` adds a `disputes` claim when fewer than two groups claimed, so the
//! incident reads as contested. `claimmode` codes map to channels (1 letter, 4
//! e-mail, 5 note: statement; 2, 3 call, 8 personal claim: spokesperson; 6 video;
//! 7 website or social media). GTD is graded B (usually reliable); credibility 2,
//! or 3 where `guncertainN = 1` (perpetrator suspected).

use crate::rules::claim_id;
use crate::text::resolve_name;
use crate::ClaimsError;
use chrono::NaiveDate;
use sitrep_ingest::LineTracker;
use sitrep_model::{Channel, Claim, Credibility, Grade, IncidentRef, Reliability, Stance};
use sitrep_resolve::Registry;
use std::io::Read;

/// One bad row or field of an input file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// 1-based physical line where the row starts (the header is line 1).
    pub line: u64,
    /// Column name.
    pub column: String,
    /// What is wrong and how to fix it.
    pub message: String,
}

/// Reads sitrep's claims CSV.
pub fn read_claims_csv(
    input: impl Read,
    file: &str,
    registry: &Registry,
) -> Result<Vec<Claim>, ClaimsError> {
    // Lines from the tracker: the csv crate's own are a line short in `\r\n` files.
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(LineTracker::new(input));
    let header: Vec<String> = rdr
        .headers()
        .map_err(|e| ClaimsError::input(file, 1, "", e.to_string()))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    for req in ["incident", "stance"] {
        if !header.iter().any(|h| h == req) {
            return Err(ClaimsError::input(
                file,
                1,
                req,
                format!("the header has no `{req}` column; columns: incident, claimant, stance, target, date, channel, reported_by, reference, grade, statement"),
            ));
        }
    }
    let col = |name: &str| header.iter().position(|h| h == name);
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let mut rec = csv::StringRecord::new();
    loop {
        match rdr.read_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let line = e.position().map_or(0, |p| rdr.get_mut().line_at(p.byte()));
                errors.push(RowError {
                    line,
                    column: String::new(),
                    message: e.to_string(),
                });
                continue;
            }
        }
        let line = rec
            .position()
            .map_or(0, |p| rdr.get_mut().line_at(p.byte()));
        let get = |name: &str| {
            col(name)
                .and_then(|i| rec.get(i))
                .unwrap_or("")
                .trim()
                .to_string()
        };
        let mut err = |column: &str, message: String| {
            errors.push(RowError {
                line,
                column: column.into(),
                message,
            })
        };
        let incident = IncidentRef::parse(&get("incident"));
        if incident.is_none() {
            err(
                "incident",
                format!("expected SOURCE:EVENT_ID, found {:?}", get("incident")),
            );
        }
        let stance = Stance::parse(&get("stance"));
        if stance.is_none() {
            err(
                "stance",
                format!(
                    "expected claims, denies, attributes, disputes or frames, found {:?}",
                    get("stance")
                ),
            );
        }
        let grade = match get("grade") {
            g if g.is_empty() => Some(Grade::UNGRADED),
            g => {
                let p = Grade::parse(&g);
                if p.is_none() {
                    err(
                        "grade",
                        format!("expected an Admiralty grade such as B2, found {g:?}"),
                    );
                }
                p
            }
        };
        let date = match get("date") {
            d if d.is_empty() => Some(None),
            d => match NaiveDate::parse_from_str(&d, "%Y-%m-%d") {
                Ok(x) => Some(Some(x)),
                Err(_) => {
                    err("date", format!("expected YYYY-MM-DD, found {d:?}"));
                    None
                }
            },
        };
        let (Some(incident), Some(stance), Some(grade), Some(date)) =
            (incident, stance, grade, date)
        else {
            continue;
        };
        let claimant = get("claimant");
        let target = get("target");
        if matches!(stance, Stance::Claims | Stance::Denies) && claimant.is_empty() {
            err(
                "claimant",
                format!("a `{}` claim needs a claimant", stance.as_str()),
            );
            continue;
        }
        if stance == Stance::Attributes && target.is_empty() {
            err(
                "target",
                "an `attributes` claim needs a target (who is held responsible)".into(),
            );
            continue;
        }
        let channel_text = get("channel");
        let id = match get("id") {
            s if s.is_empty() => claim_id(&[
                &incident.to_string(),
                &claimant,
                stance.as_str(),
                &target,
                &date.map(|d| d.to_string()).unwrap_or_default(),
                &get("reference"),
            ]),
            s => s,
        };
        out.push(Claim {
            id,
            claimant_id: resolve_name(registry, &claimant, None, date),
            target_id: resolve_name(registry, &target, None, date),
            incident,
            claimant,
            joint: Vec::new(),
            stance,
            target: (!target.is_empty()).then_some(target),
            date,
            channel: Channel::guess(&channel_text),
            channel_text,
            reported_by: get("reported_by"),
            reference: get("reference"),
            grade,
            statement: get("statement"),
        });
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(ClaimsError::Rows {
            file: file.to_string(),
            errors,
        })
    }
}

fn gtd_channel(code: &str) -> Channel {
    match code.trim() {
        "1" | "4" | "5" => Channel::Statement,
        "2" | "3" | "8" => Channel::Spokesperson,
        "6" => Channel::Video,
        "7" => Channel::SocialMedia,
        _ => Channel::Unknown,
    }
}

/// Reads the claim fields of a GTD export. `source` names the records the claims are
/// about (the `--source` the GTD file was ingested under, `gtd` by default).
pub fn read_gtd(
    input: impl Read,
    file: &str,
    source: &str,
    registry: &Registry,
) -> Result<Vec<Claim>, ClaimsError> {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(LineTracker::new(input));
    let header: Vec<String> = rdr
        .headers()
        .map_err(|e| ClaimsError::input(file, 1, "", e.to_string()))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    for req in ["eventid", "gname", "claimed"] {
        if !header.iter().any(|h| h == req) {
            return Err(ClaimsError::input(
                file,
                1,
                req,
                format!("not a GTD layout: no `{req}` column"),
            ));
        }
    }
    let col = |name: &str| header.iter().position(|h| h == name);
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let mut rec = csv::StringRecord::new();
    while rdr
        .read_record(&mut rec)
        .map_err(|e| ClaimsError::input(file, 0, "", e.to_string()))?
    {
        let line = rec
            .position()
            .map_or(0, |p| rdr.get_mut().line_at(p.byte()));
        let get = |name: &str| {
            col(name)
                .and_then(|i| rec.get(i))
                .unwrap_or("")
                .trim()
                .to_string()
        };
        let eventid = get("eventid");
        if eventid.is_empty() {
            errors.push(RowError {
                line,
                column: "eventid".into(),
                message: "eventid is empty; every row needs one".into(),
            });
            continue;
        }
        let date = NaiveDate::from_ymd_opt(
            get("iyear").parse().unwrap_or(0),
            get("imonth").parse().unwrap_or(0),
            get("iday").parse().unwrap_or(0),
        );
        let country = get("country_txt");
        let country = (!country.is_empty()).then_some(country);
        let incident = IncidentRef::new(source, &eventid);
        let mut claimed_count = 0;
        let mut made = Vec::new();
        for (i, (gname, flag, mode, unc)) in [
            ("gname", "claimed", "claimmode", "guncertain1"),
            ("gname2", "claim2", "claimmode2", "guncertain2"),
            ("gname3", "claim3", "claimmode3", "guncertain3"),
        ]
        .into_iter()
        .enumerate()
        {
            let name = get(gname);
            if name.is_empty() || name.eq_ignore_ascii_case("unknown") || name == "." {
                continue;
            }
            let flag_v = get(flag);
            if !matches!(flag_v.as_str(), "" | "0" | "1" | "-9") {
                errors.push(RowError {
                    line,
                    column: flag.into(),
                    message: format!("expected 1, 0 or -9 (unknown), found {flag_v:?}"),
                });
                continue;
            }
            let claims = flag_v == "1";
            let grade = Grade {
                reliability: Reliability::B,
                credibility: if get(unc) == "1" {
                    Credibility::Possible
                } else {
                    Credibility::Probable
                },
            };
            let id = claim_id(&[source, &eventid, gname]);
            let resolved = resolve_name(registry, &name, country.as_deref(), date);
            if claims {
                claimed_count += 1;
                let mode_v = get(mode);
                made.push(Claim {
                    id,
                    incident: incident.clone(),
                    claimant: name,
                    claimant_id: resolved,
                    joint: Vec::new(),
                    stance: Stance::Claims,
                    target: None,
                    target_id: None,
                    date: None,
                    channel: gtd_channel(&mode_v),
                    channel_text: if mode_v.is_empty() {
                        String::new()
                    } else {
                        format!("GTD {mode} {mode_v}")
                    },
                    reported_by: "GTD".into(),
                    reference: format!("GTD eventid {eventid}"),
                    grade,
                    statement: String::new(),
                });
            } else {
                made.push(Claim {
                    id,
                    incident: incident.clone(),
                    claimant: "GTD coders".into(),
                    claimant_id: None,
                    joint: Vec::new(),
                    stance: Stance::Attributes,
                    target: Some(name),
                    target_id: resolved,
                    date: None,
                    channel: Channel::MediaReport,
                    channel_text: String::new(),
                    reported_by: "GTD".into(),
                    reference: format!("GTD eventid {eventid}"),
                    grade,
                    statement: format!("perpetrator group {} (not claimed)", i + 1),
                });
            }
        }
        if get("compclaim") == "1" && claimed_count < 2 {
            made.push(Claim {
                id: claim_id(&[source, &eventid, "compclaim"]),
                incident: incident.clone(),
                claimant: String::new(),
                claimant_id: None,
                joint: Vec::new(),
                stance: Stance::Disputes,
                target: None,
                target_id: None,
                date: None,
                channel: Channel::MediaReport,
                channel_text: String::new(),
                reported_by: "GTD".into(),
                reference: format!("GTD eventid {eventid}"),
                grade: Grade {
                    reliability: Reliability::B,
                    credibility: Credibility::Probable,
                },
                statement: "GTD: competing claims of responsibility (compclaim = 1)".into(),
            });
        }
        out.extend(made);
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(ClaimsError::Rows {
            file: file.to_string(),
            errors,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue16_bad_rows_name_their_start_line_in_crlf_files() {
        // SYNTHETIC claims file with `\r\n` line ends: a statement over two lines (2-3),
        // then a row with a bad stance on line 4, which the csv crate alone places on 3.
        let text = "incident,claimant,stance,statement\r\n\
                    curated-afg:AFG-CUR-0006,IS-KP,claims,\"first line\r\nsecond line\"\r\n\
                    curated-afg:AFG-CUR-0009,Taliban,blames,\r\n";
        let reg = Registry::bundled().unwrap();
        match read_claims_csv(text.as_bytes(), "c.csv", &reg) {
            Err(ClaimsError::Rows { errors, .. }) => {
                let at: Vec<(u64, &str)> =
                    errors.iter().map(|e| (e.line, e.column.as_str())).collect();
                assert_eq!(at, [(4, "stance")]);
            }
            other => panic!("expected a bad row, got {other:?}"),
        }
    }
}
