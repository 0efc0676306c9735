//! `/administration/apparence` (tenant admins): the branding editor with its live preview and
//! version history; the legal pages (`/mentions-legales`, `/cgu`, `/accessibilite`); the
//! header logo and the footer every tenant page shows.
//!
//! The editor needs JavaScript (like the designer): the preview follows every keystroke and
//! images are uploaded as soon as they are chosen, before anything is saved.

use leptos::prelude::*;
use leptos_meta::Title;

use super::api::{SaveOutcome, load_branding, load_legal, restore_branding, save_branding};
use super::colour::check_theme;
use super::model::{
    Branding, BrandingDocument, BrandingProblem, BrandingState, Font, FooterLink, LegalPage,
    asset_url, is_safe_link, paragraphs,
};
use super::strings as s;
use crate::account::model::Role;
use crate::context::{SiteView, bump_session_epoch, use_site};
use crate::error::AppError;
use crate::ui::{Notice, Restricted};

/// Plain text as paragraphs and lines: tenants' texts never become markup.
#[component]
pub fn TextBlock(text: String) -> impl IntoView {
    paragraphs(&text)
        .into_iter()
        .map(|lines| {
            let count = lines.len();
            view! {
                <p>
                    {lines
                        .into_iter()
                        .enumerate()
                        .map(|(i, line)| view! { {line} {(i + 1 < count).then(|| view! { <br/> })} })
                        .collect_view()}
                </p>
            }
        })
        .collect_view()
}

/// The tenant's logo (decorative: the name follows it) and name, for the header.
#[component]
pub fn HeaderIdentity(branding: Branding, tenant_name: String) -> impl IntoView {
    let name = branding.name_or(&tenant_name).to_owned();
    view! {
        {branding.logo.map(|logo| view! { <img class="site-logo" src=asset_url(&logo) alt="" height="40"/> })}
        <span>{name}</span>
    }
}

/// The footer: the tenant's text and links, the legal pages, and the product's name. Rendered
/// by the server only (see `routes::shell`).
#[component]
pub fn SiteFooter(look: Option<Branding>) -> impl IntoView {
    view! {
        <footer class="site-footer">
            {look.map(|look| view! {
                {(!look.footer_text.is_empty()).then(|| view! {
                    <div class="footer-text"><TextBlock text=look.footer_text.clone()/></div>
                })}
                <nav aria-label="Pied de page">
                    <ul class="footer-links">
                        {look.footer_links.iter()
                            .filter(|link| is_safe_link(&link.url))
                            .map(|link| view! { <li><a href=link.url.clone()>{link.label.clone()}</a></li> })
                            .collect_view()}
                        {LegalPage::ALL.into_iter()
                            .map(|page| view! { <li><a href=page.path()>{page.title()}</a></li> })
                            .collect_view()}
                    </ul>
                </nav>
            })}
            <p>"Guichet – gestion de la relation citoyen"</p>
        </footer>
    }
}

fn legal_page(page: LegalPage) -> impl IntoView {
    let legal = Resource::new_blocking(|| (), |_| load_legal());
    view! {
        <Title text=page.title()/>
        <h1>{page.title()}</h1>
        <Suspense>
            {move || Suspend::new(async move {
                match legal.await {
                    Ok(pages) if !page.text(&pages).trim().is_empty() => {
                        view! { <div class="legal-text"><TextBlock text=page.text(&pages).to_owned()/></div> }.into_any()
                    }
                    Ok(_) => view! { <p>{s::LEGAL_EMPTY}</p> }.into_any(),
                    Err(error) => view! { <p class="error-message">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn MentionsPage() -> impl IntoView {
    legal_page(LegalPage::Mentions)
}

#[component]
pub fn CguPage() -> impl IntoView {
    legal_page(LegalPage::Cgu)
}

#[component]
pub fn AccessibilityPage() -> impl IntoView {
    legal_page(LegalPage::Accessibility)
}

#[component]
pub fn BrandingPage() -> impl IntoView {
    let site = use_site();
    // Outside the site's suspense: a save reloads the site (header, footer), which renders
    // the editor again; the notice of that save must survive it.
    let notice = RwSignal::new(None::<String>);
    view! {
        <Title text=s::PAGE_TITLE/>
        <h1>{s::PAGE_TITLE}</h1>
        <Suspense>
            {move || Suspend::new(async move {
                match site.await {
                    Ok(SiteView::Tenant(tenant)) if tenant.user.as_ref().is_some_and(|u| u.has_role(Role::Admin)) => {
                        view! { <BrandingLoader notice/> }.into_any()
                    }
                    _ => view! { <Restricted message=s::ADMIN_ONLY.to_owned()/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Loads the document (again after a save or a restore, with the notice to show).
#[component]
fn BrandingLoader(notice: RwSignal<Option<String>>) -> impl IntoView {
    let reload = RwSignal::new(0u32);
    // Loaded in the browser only, like the designers: the editor and its live preview need
    // JavaScript anyway, and a server-rendered editor, created inside the site's suspense, had
    // to hydrate against data whose order of arrival varies (a mismatch seen in the browser
    // tests).
    let state = LocalResource::new(move || {
        reload.track();
        load_branding()
    });
    view! {
        <p>{s::INTRO}</p>
        {move || notice.get().map(|text| view! { <Notice><p>{text}</p></Notice> })}
        {move || match state.get() {
            None => view! { <p role="status">{s::LOADING}</p> }.into_any(),
            Some(Ok(state)) => view! { <BrandingEditor state reload notice/> }.into_any(),
            Some(Err(error)) => view! { <p class="error-message" role="alert">{error.to_string()}</p> }.into_any(),
        }}
    }
}

type Problems = RwSignal<Vec<BrandingProblem>>;

fn problem_of(problems: Problems, field: &'static str) -> impl Fn() -> Option<String> + Copy {
    move || {
        problems.with(|all| {
            all.iter()
                .find(|p| p.field == field)
                .map(|p| p.message.clone())
        })
    }
}

/// A text input or textarea bound to one string of the document.
#[component]
fn TextInput(
    doc: RwSignal<BrandingDocument>,
    problems: Problems,
    field: &'static str,
    label: &'static str,
    #[prop(optional)] hint: Option<String>,
    #[prop(optional)] rows: Option<u32>,
    get: fn(&BrandingDocument) -> &String,
    set: fn(&mut BrandingDocument) -> &mut String,
) -> impl IntoView {
    let id = format!("apparence-{}", field.replace('.', "-"));
    let hint_id = format!("{id}-aide");
    let error_id = format!("{id}-erreur");
    let error = problem_of(problems, field);
    let described = {
        let hint_id = hint_id.clone();
        let error_id = error_id.clone();
        let has_hint = hint.is_some();
        move || {
            let mut ids = Vec::new();
            if has_hint {
                ids.push(hint_id.clone());
            }
            if error().is_some() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    let value = move || doc.with(|d| get(d).clone());
    let on_input = move |ev: leptos::ev::Event| {
        let text = event_target_value(&ev);
        doc.update(|d| *set(d) = text);
    };
    let input = match rows {
        Some(rows) => view! {
            <textarea id=id.clone() name=field rows=rows prop:value=value on:input=on_input
                aria-invalid=move || error().is_some().then_some("true") aria-describedby=described.clone()>
                {value()}
            </textarea>
        }
        .into_any(),
        None => view! {
            <input type="text" id=id.clone() name=field prop:value=value on:input=on_input
                aria-invalid=move || error().is_some().then_some("true") aria-describedby=described/>
        }
        .into_any(),
    };
    view! {
        <div class="field">
            <label for=id>{label}</label>
            {hint.map(|hint| view! { <p class="hint" id=hint_id.clone()>{hint}</p> })}
            {input}
            {move || error().map(|e| view! { <p class="error-message" id=error_id.clone()>{e}</p> })}
        </div>
    }
}

/// A colour: picker and hex text, its live contrast check and a one-click fix.
#[component]
fn ColourInput(
    doc: RwSignal<BrandingDocument>,
    field: &'static str,
    label: &'static str,
    hint: &'static str,
    set: fn(&mut BrandingDocument) -> &mut String,
    get: fn(&BrandingDocument) -> &String,
) -> impl IntoView {
    let id = format!("apparence-{field}");
    let picker_id = format!("{id}-nuancier");
    let problem = Memo::new(move |_| {
        doc.with(|d| {
            check_theme(&d.look.primary_color, &d.look.secondary_color)
                .into_iter()
                .find(|p| p.field == field)
        })
    });
    let value = move || doc.with(|d| get(d).clone());
    let on_input = move |ev: leptos::ev::Event| {
        let text = event_target_value(&ev);
        doc.update(|d| *set(d) = text);
    };
    view! {
        <div class="field colour-field">
            <label for=id.clone()>{label}</label>
            <p class="hint" id=format!("{id}-aide")>{hint}</p>
            <div class="colour-inputs">
                <input type="color" id=picker_id aria-label=format!("{label} (nuancier)") prop:value=value on:input=on_input/>
                <input type="text" id=id.clone() name=field size="9" prop:value=value on:input=on_input
                    aria-describedby=format!("{id}-aide {id}-contraste")
                    aria-invalid=move || problem.get().is_some().then_some("true")/>
            </div>
            <div id=format!("{id}-contraste") role="status">
                {move || problem.get().map(|p| {
                    let suggestion = p.suggestion.clone();
                    view! {
                        <p class="error-message">{p.message.clone()}</p>
                        <button type="button" class="button button-secondary"
                            on:click=move |_| { let s = suggestion.clone(); doc.update(|d| *set(d) = s); }>
                            {s::USE_SUGGESTION.replace("{colour}", &p.suggestion)}
                        </button>
                    }
                })}
            </div>
        </div>
    }
}

#[component]
fn BrandingEditor(
    state: BrandingState,
    reload: RwSignal<u32>,
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let doc = RwSignal::new(state.document.clone());
    let seen = state.version;
    let tenant_name = state.tenant_name.clone();
    let problems: Problems = RwSignal::new(Vec::new());
    let failure = RwSignal::new(None::<String>);
    let uploading = RwSignal::new(None::<&'static str>);
    let cleaned = RwSignal::new(None::<String>);

    let finish = move |result: Result<SaveOutcome, AppError>, restored: Option<u32>| match result {
        Ok(SaveOutcome {
            version: Some(version),
            ..
        }) => {
            notice.set(Some(match restored {
                Some(from) => s::RESTORED
                    .replace("{from}", &from.to_string())
                    .replace("{version}", &version.to_string()),
                None => s::SAVED.replace("{version}", &version.to_string()),
            }));
            // The header and footer of this very page follow.
            bump_session_epoch();
            reload.update(|r| *r += 1);
        }
        Ok(SaveOutcome { problems: p, .. }) => {
            failure.set(Some(s::HAS_PROBLEMS.to_owned()));
            problems.set(p);
        }
        Err(error) => failure.set(Some(error.to_string())),
    };
    let save = Action::new(move |document: &BrandingDocument| {
        let json = serde_json::to_string(document).unwrap_or_default();
        async move { save_branding(seen, json).await }
    });
    Effect::new(move |_| {
        if let Some(result) = save.value().get() {
            finish(result, None);
        }
    });
    let restore = Action::new(move |version: &u32| {
        let version = *version;
        async move { (version, restore_branding(version).await) }
    });
    Effect::new(move |_| {
        if let Some((version, result)) = restore.value().get() {
            finish(result, Some(version));
        }
    });

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        failure.set(None);
        notice.set(None);
        problems.set(Vec::new());
        save.dispatch(doc.get_untracked());
    };

    let image_field = move |kind: &'static str, label: &'static str, hint: &'static str| {
        let id = format!("apparence-{kind}");
        let error = problem_of(problems, if kind == "logo" { "logo" } else { "banner" });
        let current = move || {
            doc.with(|d| {
                if kind == "logo" {
                    d.look.logo.clone()
                } else {
                    d.look.banner.clone()
                }
            })
        };
        view! {
            <div class="field">
                <label for=id.clone()>{label}</label>
                <p class="hint" id=format!("{id}-aide")>{hint}</p>
                {move || current().map(|name| view! {
                    <p class="image-current">
                        <img src=asset_url(&name) alt="" height="48"/>
                        <button type="button" class="button button-secondary" on:click=move |_| doc.update(|d| {
                            if kind == "logo" { d.look.logo = None } else { d.look.banner = None }
                        })>{s::REMOVE_IMAGE}" "{label}</button>
                    </p>
                })}
                <input type="file" id=id.clone() accept="image/png,image/jpeg,image/svg+xml"
                    aria-describedby=format!("{id}-aide")
                    on:change=move |ev| {
                        #[cfg(feature = "hydrate")]
                        upload_image(kind, &ev, doc, problems, uploading, cleaned);
                        #[cfg(not(feature = "hydrate"))]
                        let _ = ev;
                    }/>
                {move || (uploading.get() == Some(kind)).then(|| view! { <p role="status">{s::UPLOADING}</p> })}
                {move || error().map(|e| view! { <p class="error-message" role="alert">{e}</p> })}
            </div>
        }
    };

    let history = state.history.clone();
    let current_version = state.version;
    // Type-erased in parts: one nested view type of the whole editor is too deep for rustc.
    let identity = view! {
                <fieldset>
                    <legend>{s::IDENTITY}</legend>
                    <TextInput doc problems field="display_name" label=s::DISPLAY_NAME
                        hint=s::DISPLAY_NAME_HINT.replace("{name}", &tenant_name)
                        get=|d| &d.look.display_name set=|d| &mut d.look.display_name/>
                </fieldset>
                <fieldset>
                    <legend>{s::COLOURS}</legend>
                    <ColourInput doc field="primary_color" label=s::PRIMARY hint=s::PRIMARY_HINT
                        get=|d| &d.look.primary_color set=|d| &mut d.look.primary_color/>
                    <ColourInput doc field="secondary_color" label=s::SECONDARY hint=s::SECONDARY_HINT
                        get=|d| &d.look.secondary_color set=|d| &mut d.look.secondary_color/>
                </fieldset>
    }
    .into_any();
    let font = view! {
                <div class="field">
                    <label for="apparence-font">{s::FONT}</label>
                    <select id="apparence-font" name="font" on:change=move |ev| {
                        if let Some(font) = Font::from_code(&event_target_value(&ev)) {
                            doc.update(|d| d.look.font = font);
                        }
                    }>
                        {Font::ALL.into_iter().map(|font| view! {
                            <option value=font.code() selected=move || doc.with(|d| d.look.font == font)>{font.label()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <fieldset>
                    <legend>{s::IMAGES}</legend>
                    {image_field("logo", s::LOGO, s::LOGO_HINT)}
                    {image_field("banner", s::BANNER, s::BANNER_HINT)}
                    {move || cleaned.get().map(|text| view! { <p class="hint" role="status">{text}</p> })}
                </fieldset>
    }
    .into_any();
    let texts = view! {
                <fieldset>
                    <legend>{s::TEXTS}</legend>
                    <TextInput doc problems field="welcome_text" label=s::WELCOME rows=3
                        get=|d| &d.look.welcome_text set=|d| &mut d.look.welcome_text/>
                    <TextInput doc problems field="footer_text" label=s::FOOTER_TEXT rows=3 hint=s::FOOTER_TEXT_HINT.to_owned()
                        get=|d| &d.look.footer_text set=|d| &mut d.look.footer_text/>
                    <FooterLinks doc problems/>
                </fieldset>
    }
    .into_any();
    let legal = view! {
                <fieldset>
                    <legend>{s::LEGAL}</legend>
                    <p class="hint">{s::LEGAL_HINT}</p>
                    <TextInput doc problems field="legal.mentions" label=s::LEGAL_MENTIONS rows=6
                        get=|d| &d.legal.mentions set=|d| &mut d.legal.mentions/>
                    <TextInput doc problems field="legal.cgu" label=s::LEGAL_CGU rows=6
                        get=|d| &d.legal.cgu set=|d| &mut d.legal.cgu/>
                    <TextInput doc problems field="legal.accessibility" label=s::LEGAL_ACCESSIBILITY rows=6
                        get=|d| &d.legal.accessibility set=|d| &mut d.legal.accessibility/>
                </fieldset>
    }
    .into_any();
    let form = view! {
            <form class="form branding-form" novalidate on:submit=on_submit>
                {move || failure.get().map(|text| view! {
                    <div class="error-summary" role="alert" tabindex="-1"><p>{text}</p></div>
                })}
                {identity}
                {font}
                {texts}
                {legal}
                <button type="submit" class="button" disabled=move || save.pending().get()>{s::SAVE}</button>
            </form>
    }
    .into_any();
    let versions = view! {
        <section aria-labelledby="versions">
            <h2 id="versions">{s::HISTORY}</h2>
            <ol class="branding-history" reversed>
                {history.into_iter().map(|version| {
                    let number = version.version;
                    view! {
                        <li>
                            <span class="swatch" style=format!("background: {}", safe_colour(&version.primary_color)) aria-hidden="true"></span>
                            <span class="swatch" style=format!("background: {}", safe_colour(&version.secondary_color)) aria-hidden="true"></span>
                            " "<strong>{s::VERSION.replace("{version}", &number.to_string())}</strong>
                            " – "{s::SAVED_ON.replace("{date}", &version.saved_at)}
                            {version.saved_by.clone().map(|name| view! { " "{s::BY.replace("{name}", &name)} })}
                            {version.restored_from.map(|from| view! { " ("{s::RESTORED_FROM.replace("{from}", &from.to_string())}")" })}
                            {if number == current_version {
                                view! { " – "<em>{s::CURRENT}</em> }.into_any()
                            } else {
                                view! {
                                    " "
                                    <button type="button" class="button button-secondary"
                                        aria-label=format!("{} {}", s::RESTORE, s::VERSION.replace("{version}", &number.to_string()))
                                        on:click=move |_| { restore.dispatch(number); }>{s::RESTORE}</button>
                                }.into_any()
                            }}
                        </li>
                    }
                }).collect_view()}
            </ol>
        </section>
    }
    .into_any();
    view! {
        <div class="branding-layout">
            {form}
            <Preview doc tenant_name=state.tenant_name.clone()/>
        </div>
        {versions}
    }
}

/// History swatches: only a `#rrggbb` reaches the style attribute.
fn safe_colour(value: &str) -> String {
    if super::colour::Rgb::parse(value).is_some() {
        value.to_owned()
    } else {
        "transparent".to_owned()
    }
}

#[component]
fn FooterLinks(doc: RwSignal<BrandingDocument>, problems: Problems) -> impl IntoView {
    let count = move || doc.with(|d| d.look.footer_links.len());
    view! {
        <fieldset class="footer-links-editor">
            <legend>{s::FOOTER_LINKS}</legend>
            {move || problem_of(problems, "footer_links")().map(|e| view! { <p class="error-message">{e}</p> })}
            <For each=move || 0..count() key=|i| *i let:i>
                {
                    let label_field = format!("footer_links[{i}].label");
                    let url_field = format!("footer_links[{i}].url");
                    let error_of = move |field: String| move || problems.with(|all| all.iter().find(|p| p.field == field).map(|p| p.message.clone()));
                    let label_error = error_of(label_field.clone());
                    let url_error = error_of(url_field.clone());
                    let get = move |pick: fn(&FooterLink) -> String| move || doc.with(|d| d.look.footer_links.get(i).map(pick).unwrap_or_default());
                    view! {
                        <div class="footer-link-row">
                            <div class="field">
                                <label for=format!("lien-{i}-intitule")>{s::LINK_LABEL}" "{i + 1}</label>
                                <input type="text" id=format!("lien-{i}-intitule") prop:value=get(|l| l.label.clone())
                                    on:input=move |ev| { let v = event_target_value(&ev); doc.update(|d| if let Some(l) = d.look.footer_links.get_mut(i) { l.label = v }); }/>
                                {move || label_error().map(|e| view! { <p class="error-message">{e}</p> })}
                            </div>
                            <div class="field">
                                <label for=format!("lien-{i}-adresse")>{s::LINK_URL}</label>
                                <input type="text" id=format!("lien-{i}-adresse") prop:value=get(|l| l.url.clone())
                                    on:input=move |ev| { let v = event_target_value(&ev); doc.update(|d| if let Some(l) = d.look.footer_links.get_mut(i) { l.url = v }); }/>
                                {move || url_error().map(|e| view! { <p class="error-message">{e}</p> })}
                            </div>
                            <button type="button" class="button button-secondary" on:click=move |_| doc.update(|d| {
                                if i < d.look.footer_links.len() { d.look.footer_links.remove(i); }
                            })>{s::REMOVE_LINK}</button>
                        </div>
                    }
                }
            </For>
            <button type="button" class="button button-secondary" on:click=move |_| doc.update(|d| d.look.footer_links.push(FooterLink::default()))>
                {s::ADD_LINK}
            </button>
        </fieldset>
    }
}

/// The portal as it will look, from the document being edited (never saved state).
#[component]
fn Preview(doc: RwSignal<BrandingDocument>, tenant_name: String) -> impl IntoView {
    let style =
        move || doc.with(|d| format!("{} font-family: var(--brand-font);", d.look.css_vars()));
    let look = move || doc.with(|d| d.look.clone());
    view! {
        <section class="branding-preview" aria-labelledby="apercu" style=style data-testid="apercu">
            <h2 id="apercu">{s::PREVIEW}</h2>
            {move || {
                let look = look();
                let tenant_name = tenant_name.clone();
                view! {
                    <div class="site-header preview-header">
                        <span class="site-name"><HeaderIdentity branding=look.clone() tenant_name/></span>
                    </div>
                    {look.banner.clone().map(|banner| view! { <img class="portal-banner" src=asset_url(&banner) alt=""/> })}
                    <div class="preview-body">
                        <TextBlock text=look.welcome_text.clone()/>
                        <p><a href="#apercu">{s::PREVIEW_LINK}</a></p>
                        <p><button type="button" class="button">{s::PREVIEW_BUTTON}</button></p>
                        <p class="preview-secondary">{s::PREVIEW_SECONDARY}</p>
                    </div>
                    <div class="site-footer preview-footer">
                        <TextBlock text=look.footer_text.clone()/>
                        <ul class="footer-links">
                            {look.footer_links.iter().map(|l| view! { <li>{l.label.clone()}</li> }).collect_view()}
                        </ul>
                    </div>
                }
                .into_any()
            }}
        </section>
    }
}

/// Sends the chosen file; its name goes into the document (and the preview) at once.
#[cfg(feature = "hydrate")]
fn upload_image(
    kind: &'static str,
    ev: &leptos::ev::Event,
    doc: RwSignal<BrandingDocument>,
    problems: Problems,
    uploading: RwSignal<Option<&'static str>>,
    cleaned: RwSignal<Option<String>>,
) {
    use leptos::wasm_bindgen::JsCast;
    use leptos::wasm_bindgen::closure::Closure;
    let field = if kind == "logo" { "logo" } else { "banner" };
    let show_error = move |message: String| {
        problems.update(|all| {
            all.retain(|p| p.field != field);
            all.push(BrandingProblem {
                field: field.to_owned(),
                message,
                suggestion: None,
            });
        })
    };
    let sent = (|| -> Result<(), leptos::wasm_bindgen::JsValue> {
        let input: web_sys::HtmlInputElement = event_target(ev);
        let Some(file) = input.files().and_then(|files| files.get(0)) else {
            return Ok(());
        };
        let form = web_sys::FormData::new()?;
        form.append_with_blob("file", &file)?;
        let request = web_sys::XmlHttpRequest::new()?;
        request.open(
            "POST",
            &format!("/api/administration/apparence/images?type={kind}"),
        )?;
        uploading.set(Some(kind));
        let on_load = Closure::<dyn FnMut()>::new({
            let request = request.clone();
            move || {
                uploading.set(None);
                let status = request.status().unwrap_or(0);
                let body = request.response_text().ok().flatten().unwrap_or_default();
                if status == 200 {
                    match serde_json::from_str::<super::model::UploadedAsset>(&body) {
                        Ok(asset) => {
                            problems.update(|all| all.retain(|p| p.field != field));
                            cleaned.set((!asset.removed.is_empty()).then(|| {
                                s::SVG_CLEANED.replace("{list}", &asset.removed.join(", "))
                            }));
                            doc.update(|d| {
                                if kind == "logo" {
                                    d.look.logo = Some(asset.name)
                                } else {
                                    d.look.banner = Some(asset.name)
                                }
                            });
                        }
                        Err(_) => show_error(s::IMAGE_NOT_ALLOWED.to_owned()),
                    }
                } else {
                    let message = serde_json::from_str::<AppError>(&body)
                        .map(|error| error.to_string())
                        .unwrap_or_else(|_| format!("{} ({status})", s::IMAGE_NOT_ALLOWED));
                    show_error(message);
                }
            }
        });
        request.set_onload(Some(on_load.as_ref().unchecked_ref()));
        on_load.forget();
        request.send_with_opt_form_data(Some(&form))?;
        Ok(())
    })();
    if sent.is_err() {
        uploading.set(None);
        show_error(s::IMAGE_NOT_ALLOWED.to_owned());
    }
}
