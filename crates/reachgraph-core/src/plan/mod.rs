//! Planning from a creator table: distinct reach, overlaps and budgeted picks from follower
//! counts, without follower lists, under an explicit audience model with stated uncertainty.
//!
//! # The audience model
//!
//! Real people live in a jurisdiction `j` of the electorate (`N_j` eligible voters: by default
//! the state's voting-eligible population from the embedded certified 2024 US result) or
//! *outside* it (`N_out`: platform users who are not eligible voters — minors, non-citizens;
//! by default US residents minus eligible voters). `--population N` scales everything to `N`.
//!
//! - **Platforms.** A person is on platform `p` with probability `adopt_p` (Pew Research
//!   Center, January 2024), independently across platforms.
//! - **Activity.** A person belongs to an activity class `k` (weight `w_k`, level `a_k`,
//!   `Σ w_k a_k = 1`): a share `z` of people follow nobody (the zero class) and the others have
//!   a Gamma activity of shape `κ`, discretised into 16 Dirac deltas (the activity-distribution
//!   models of Koehler, Skvortsov et al. 2016 and Skvortsov & Koehler 2019).
//! - **Following.** A person of class `k` in `j` who is on `p` follows account `i` (platform
//!   `p`, `F_i` followers, share `s_ij` of them in `j`) with probability
//!   `q = min(1, a_k F_i s_ij / (N_j adopt_p))`, so the account's expected followers are `F_i`
//!   (less what clipping at 1 removes). Accounts without audience geography have a national
//!   audience (`s_ij ∝ N_j`, tilted by `home_factor` towards the creator's home state) with a
//!   share `1 − eligible` (default: the population's outside share) outside the electorate.
//! - **Creators.** For one creator's accounts a person draws one uniform shared by all of them
//!   with probability `ρ` (*identity*: the same fans on every platform), else independent
//!   ones; so the creator reaches the person with probability
//!   `ρ max_i q_i + (1 − ρ)(1 − Π_i (1 − q_i))`. Different creators are independent given the
//!   person's region, class and platforms.
//! - **Reach** of a set of accounts = `Σ_{j, k, m} N_j w_k P(m) (1 − Π_c (1 − P_c))`, computed
//!   exactly by [`model::AudienceModel`]; jurisdiction rows count eligible voters of the
//!   jurisdiction, the total adds people outside.
//!
//! Independence (one activity level, `ρ = 0`, no home tilt) is a named assumption
//! ([`params::ParamValues::INDEPENDENCE`]), never the silent default.

pub mod ensemble;
pub mod materialize;
pub mod model;
pub mod params;
pub mod table;

pub use model::{AudienceModel, ReachState};
pub use params::{ActivityMixture, ModelParams, ParamValues, Population};
pub use table::{AccountRow, Creator, CreatorTable, MeasuredOverlap};
