use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use super::api::latest_news;
use super::model::NewsItem;
use super::strings as s;
use crate::context::{SiteView, use_site};

#[component]
pub fn NewsList(news: Vec<NewsItem>) -> impl IntoView {
    if news.is_empty() {
        return view! { <p>{s::NO_NEWS}</p> }.into_any();
    }
    view! {
        <ul class="news-list">
            {news
                .into_iter()
                .map(|item| view! {
                    <li class="news-item">
                        <article>
                            <h3>{item.title}</h3>
                            <p class="news-date">"Publié le " {item.published_on}</p>
                            <p>{item.body}</p>
                        </article>
                    </li>
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}

/// The commune's portal home: welcome, account entry points, latest news.
#[component]
pub fn Home() -> impl IntoView {
    let site = use_site();
    let news = Resource::new_blocking(|| (), |_| latest_news());
    view! {
        <Title text=""/>
        <Suspense>
            {move || Suspend::new(async move {
                match site.await {
                    Ok(SiteView::Tenant(tenant)) => {
                        let welcome = if tenant.branding.welcome_text.is_empty() {
                            s::WELCOME_DEFAULT.to_owned()
                        } else {
                            tenant.branding.welcome_text.clone()
                        };
                        let name = tenant.branding.name_or(&tenant.name).to_owned();
                        view! {
                            {tenant.branding.banner.clone().map(|banner| view! {
                                <img class="portal-banner" src=crate::branding::model::asset_url(&banner) alt=""/>
                            })}
                            <section class="hero">
                                <h1>{name}</h1>
                                <crate::branding::pages::TextBlock text=welcome/>
                                {tenant.user.is_none().then(|| view! {
                                    <p class="actions">
                                        <A href="/inscription" attr:class="button">"Créer mon compte"</A>
                                        <A href="/connexion" attr:class="button button-secondary">"Se connecter"</A>
                                    </p>
                                })}
                            </section>
                        }
                        .into_any()
                    }
                    _ => ().into_any(),
                }
            })}
        </Suspense>
        <section aria-labelledby="actualites">
            <h2 id="actualites">{s::HOME_NEWS_TITLE}</h2>
            <Suspense>
                {move || Suspend::new(async move {
                    match news.await {
                        Ok(items) => view! { <NewsList news=items/> }.into_any(),
                        Err(error) => view! { <p class="alert alert-error">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
