//! The language switch in the page's header: each language named in itself; choosing one saves it and
//! reloads the page in it (the page resumes where it was).

use certsmith::i18n::{self, Lang};
use certsmith::t;
use certsmith::web::lang;
use yew::prelude::*;

#[function_component(LanguageSwitch)]
pub fn language_switch() -> Html {
    let problem = use_state(|| None::<String>);
    let current = i18n::lang();
    html! {
        <nav class="language-switch" aria-label={t!("Language")}>
            { for Lang::ALL.into_iter().map(|choice| {
                let problem = problem.clone();
                let onclick = Callback::from(move |_: MouseEvent| {
                    if choice != current {
                        if let Err(why) = lang::switch_to(choice) {
                            problem.set(Some(why));
                        }
                    }
                });
                html! {
                    <button type="button" lang={choice.code()} aria-pressed={(choice == current).to_string()}
                            data-testid={format!("lang-{}", choice.code())} {onclick}>
                        { choice.own_name() }
                    </button>
                }
            }) }
            if let Some(why) = &*problem {
                <p class="notice" role="status">{ t!("The language could not be changed: {why}", why = why) }</p>
            }
        </nav>
    }
}
