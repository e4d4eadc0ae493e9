//! Signing in, and what only admins see: the sign-in page (in the console's first download,
//! since it is the first page a signed-out visitor sees), the gate sending signed-out visitors
//! to it, and the audit log page (lazily loaded).

pub mod audit_page;
pub mod sign_in_page;
