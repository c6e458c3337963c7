//! The `doppler` store end to end (see below).
