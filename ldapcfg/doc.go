// Package ldapcfg is ECE's Partition Administration Configuration (the
// LDAP/Active Directory settings of step 2 of the ECE ↔ PCCE guide) as a
// value: its fields, their offline validation, fetching the domain
// controller's certificate for the AD keystore (mydomain.jks), and a live
// test that proves the settings work before the admin types them into ECE —
// connect with TLS trusting only that keystore, read the rootDSE, bind,
// find a user, and explain referrals.
//
// ECE itself only says "Error loading the page" when these are wrong, so
// every failure here names the stage, the cause in plain language and the fix.
//
// It must not print, prompt or write files: it returns values and typed
// errors, and the caller (steps, the CLI) decides what to show. The bind
// password is a secret.Secret and never appears in a result or an error.
// Network access only goes through the caller's dial func, so the answers
// file's resolve overrides and the lab apply.
package ldapcfg
