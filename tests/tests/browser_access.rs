//! Signing in and roles in headless Chromium: a server started with `--auth-file` and
//! `--audit-log` sends a signed-out visitor to the sign-in page, lets a deployer change a
//! service through the console (the cookie session's CSRF token travels with the change),
//! shows a viewer why it cannot, and shows an admin the audit log. Screenshots land in
//! `target/berth-tests/screenshots/`.

use berth_tests::{
    berth::{Berth, create_token},
    browser::Browser,
    scratch_dir,
};

#[tokio::test]
async fn sign_in_roles_and_the_audit_log_in_the_console() {
    let secrets = scratch_dir("browser-access-secrets");
    let auth_file = secrets.join("auth.json");
    let deployer = create_token(&auth_file, "deployer", "dee");
    let viewer = create_token(&auth_file, "viewer", "vic");
    let admin = create_token(&auth_file, "admin", "ana");
    let audit_log = secrets.join("audit.jsonl");
    let berth = Berth::start(
        "browser-access",
        &[
            "--auth-file",
            auth_file.to_str().unwrap(),
            "--audit-log",
            audit_log.to_str().unwrap(),
        ],
        &[],
    );
    let browser = Browser::start().await;
    let sign_in = |token: String| {
        let browser = &browser;
        async move {
            browser.type_into("[data-testid=token]", &token).await;
            browser.click("[data-testid=sign-in-button]").await;
        }
    };

    // Signed out: the page asked for is remembered, the sign-in page asks for a token.
    browser
        .goto(&format!("{}/clusters/demo-ec2/services/api", berth.url))
        .await;
    browser
        .wait_for_text("[data-testid=sign-in]", "Sign in to Berth")
        .await;
    assert!(browser.current_url().await.contains("/login?next="));
    sign_in("berth_not-a-token".to_owned()).await;
    browser
        .wait_for_text("[data-testid=sign-in-error]", "not valid")
        .await;
    browser.screenshot("sign-in-refused").await;

    // A deployer lands on the page asked for and changes the desired count.
    sign_in(deployer).await;
    browser
        .wait_for_text("[data-testid=role]", "deployer")
        .await;
    browser
        .wait_for_text("[data-testid=signed-in]", "dee")
        .await;
    browser.find("[data-testid=desired-form]").await;
    assert!(
        browser
            .current_url()
            .await
            .ends_with("/clusters/demo-ec2/services/api")
    );
    assert_eq!(
        browser.count("[data-testid=audit-link]").await,
        0,
        "admins only"
    );
    browser.type_into("[data-testid=desired-input]", "9").await;
    browser.click("[data-testid=desired-submit]").await;
    browser
        .wait_for_text("[data-testid=action-done]", "Desired count set to 9")
        .await;
    browser.screenshot("signed-in-deployer").await;

    // Signing out ends the session; a viewer sees why the actions are gone.
    browser.click("[data-testid=sign-out]").await;
    browser
        .wait_for_text("[data-testid=sign-in]", "Sign in")
        .await;
    browser
        .goto(&format!(
            "{}/login?next=/clusters/demo-ec2/services/api",
            berth.url
        ))
        .await;
    sign_in(viewer).await;
    browser
        .wait_for_text("[data-testid=read-only]", "need the deployer role")
        .await;
    assert_eq!(browser.count("[data-testid=desired-form]").await, 0);
    browser.screenshot("signed-in-viewer").await;
    browser.goto(&format!("{}/audit", berth.url)).await;
    browser
        .wait_for_text("[data-testid=audit-admins-only]", "Only admins")
        .await;
    browser.screenshot("audit-viewer-refused").await;
    browser.click("[data-testid=sign-out]").await;
    browser
        .wait_for_text("[data-testid=sign-in]", "Sign in")
        .await;

    // An admin reads who changed what.
    sign_in(admin).await;
    browser.click("[data-testid=audit-link]").await;
    browser
        .wait_for_text("[data-testid=audit-summary]", "1 change matching")
        .await;
    let row = browser.text("[data-testid=audit-row]").await;
    for part in [
        "dee",
        "deployer",
        "UpdateService",
        "/api/clusters/demo-ec2/services/api",
        "Made",
    ] {
        assert!(row.contains(part), "{part:?} in {row:?}");
    }
    browser.type_into("[data-testid=audit-who]", "nobody").await;
    browser
        .wait_for_text("[data-testid=audit-empty]", "No change recorded")
        .await;
    browser.screenshot("audit-log-empty").await;
    browser.type_into("[data-testid=audit-who]", "").await;
    browser.find("[data-testid=audit-row]").await;
    browser.screenshot("audit-log").await;
    browser.dark().await;
    browser.screenshot("audit-log-dark").await;
    browser.click("[data-testid=sign-out]").await;
    browser
        .wait_for_text("[data-testid=sign-in]", "Sign in")
        .await;
    browser.screenshot("sign-in-dark").await;
}

#[tokio::test]
async fn the_sign_in_page_of_a_berth_without_sign_in_says_so() {
    let berth = Berth::start("browser-no-sign-in", &[], &[]);
    let browser = Browser::start().await;
    browser.goto(&format!("{}/login", berth.url)).await;
    browser
        .wait_for_text("[data-testid=no-sign-in]", "has no sign-in")
        .await;
    assert_eq!(browser.count("[data-testid=token]").await, 0);
    browser.screenshot("sign-in-not-configured").await;
}
