//! The common event taxonomy and how each source's types map onto it.

use serde::{Deserialize, Serialize};

/// The common event type every record is mapped to. The source's own type is always
/// kept verbatim beside it (`source_event_type`), and its subtype in `sub_event_type`.
///
/// The categories are ACLED's six event types plus `Other`, because they are the finest
/// widely used split of political violence; coarser sources map onto them:
///
/// | common | ACLED `event_type` | UCDP `type_of_violence` | curated log `event_type` |
/// |---|---|---|---|
/// | `battle` | Battles | 1 state-based, 2 non-state | armed clash |
/// | `explosion` | Explosions/Remote violence | — | bombing, suicide bombing, airstrike, rocket attack, shelling |
/// | `violence_against_civilians` | Violence against civilians | 3 one-sided | — |
/// | `protest` | Protests | — | — |
/// | `riot` | Riots | — | — |
/// | `strategic_development` | Strategic developments | — | — |
/// | `other` | anything else | — | assassination, other |
///
/// UCDP does not separate explosions from clashes, so a UCDP-only series by type shows
/// state-based and non-state violence as `battle`; its `sub_event_type` keeps
/// `state-based`, `non-state` or `one-sided`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventType {
    /// Armed clashes between organised groups.
    Battle,
    /// Explosions and remote violence: bombs, IEDs, shelling, air and drone strikes.
    Explosion,
    /// Violence by an organised group against unarmed civilians (one-sided violence).
    ViolenceAgainstCivilians,
    /// Peaceful demonstrations.
    Protest,
    /// Violent demonstrations and mob violence.
    Riot,
    /// Non-violent but significant developments (arrests, agreements, HQ changes).
    StrategicDevelopment,
    /// Anything the source's taxonomy does not place above.
    Other,
}

impl EventType {
    /// Every type, in display order.
    pub const ALL: [EventType; 7] = [
        EventType::Battle,
        EventType::Explosion,
        EventType::ViolenceAgainstCivilians,
        EventType::Protest,
        EventType::Riot,
        EventType::StrategicDevelopment,
        EventType::Other,
    ];

    /// The snake_case name stored in the `event_type` column.
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Battle => "battle",
            EventType::Explosion => "explosion",
            EventType::ViolenceAgainstCivilians => "violence_against_civilians",
            EventType::Protest => "protest",
            EventType::Riot => "riot",
            EventType::StrategicDevelopment => "strategic_development",
            EventType::Other => "other",
        }
    }

    /// Parses a common name or an ACLED event type (case-insensitive).
    pub fn parse(s: &str) -> Option<EventType> {
        let k: String = s
            .trim()
            .to_ascii_lowercase()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect();
        Some(match k.as_str() {
            "battle" | "battles" => EventType::Battle,
            "explosion" | "explosions" | "explosionsremoteviolence" => EventType::Explosion,
            "violenceagainstcivilians" => EventType::ViolenceAgainstCivilians,
            "protest" | "protests" => EventType::Protest,
            "riot" | "riots" => EventType::Riot,
            "strategicdevelopment" | "strategicdevelopments" => EventType::StrategicDevelopment,
            "other" => EventType::Other,
            _ => return None,
        })
    }

    /// UCDP's `type_of_violence` code (1, 2, 3) or its text form.
    pub fn from_ucdp(v: &str) -> Option<(EventType, &'static str)> {
        let k = v.trim().to_ascii_lowercase();
        Some(match k.as_str() {
            "1" | "state-based violence" | "state-based" => (EventType::Battle, "state-based"),
            "2" | "non-state violence" | "non-state" => (EventType::Battle, "non-state"),
            "3" | "one-sided violence" | "one-sided" => {
                (EventType::ViolenceAgainstCivilians, "one-sided")
            }
            _ => return None,
        })
    }
}

impl std::fmt::Display for EventType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn names_round_trip() {
        for t in EventType::ALL {
            assert_eq!(EventType::parse(t.as_str()), Some(t));
        }
        assert_eq!(
            EventType::parse("Explosions/Remote violence"),
            Some(EventType::Explosion)
        );
        assert_eq!(
            EventType::from_ucdp("3").unwrap().0,
            EventType::ViolenceAgainstCivilians
        );
        assert_eq!(
            EventType::from_ucdp("Non-state violence").unwrap().1,
            "non-state"
        );
    }
}
