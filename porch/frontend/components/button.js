// Buttons: button, also drawing ClearButton (twins of porch/components/button.py). Its value
// is its text; an icon and a link are optional. LoginButton is a button too, marked by its
// `porch_login` prop; DeepLinkButton by its `porch_deep_link` prop (../deep_link.js).

import { isLogoutUrl, logOut } from "../login.js";
import { copyLink } from "../deep_link.js";

const VARIANTS = new Set(["primary", "secondary", "stop", "huggingface"]);
const SIZES = new Set(["sm", "md", "lg"]);

const TARGETS = new Set(["_self", "_blank", "_parent", "_top"]);

/** An http(s) or same-site URL to follow, or null. */
function safeLink(raw) {
  if (typeof raw !== "string" || raw === "") return null;
  try {
    const url = new URL(raw, document.baseURI);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

/**
 * A LoginButton's click (porch/components/login_button.py): signed in, sign out by a
 * same-origin POST; else go through the issuer and come back to this very page.
 */
function signInOrOut(props) {
  if (props.porch_signed_in) {
    logOut();
    return;
  }
  if (!props.porch_login) return;
  const url = new URL(`./${props.porch_login}`, document.baseURI);
  url.searchParams.set("_target_url", location.pathname + location.search);
  location.assign(url.href);
}

export function button(el, props, emit) {
  const control = el.appendChild(document.createElement("button"));
  control.type = "button";
  let current = props;
  control.addEventListener("click", () => {
    emit("click");
    if (current.porch_deep_link) {
      copyLink(control, current, (label) => render(label == null ? current : { ...current, value: label }));
      return;
    }
    if ("porch_login" in current) {
      signInOrOut(current);
      return;
    }
    const link = safeLink(current.link);
    if (link && isLogoutUrl(link)) {
      logOut(link); // logging out is a POST; a followed link would only show a page
    } else if (link) {
      const target = TARGETS.has(current.link_target) ? current.link_target : "_self";
      window.open(link, target, target === "_self" ? undefined : "noopener");
    }
  });

  function render(next) {
    control.replaceChildren();
    const icon = next.icon && typeof next.icon === "object" ? safeLink(next.icon.url) : null;
    if (icon) {
      const img = control.appendChild(document.createElement("img"));
      img.className = "porch-button-icon";
      img.src = icon;
      img.alt = "";
    }
    control.append(next.value == null ? "" : String(next.value));
    const variant = VARIANTS.has(next.variant) ? next.variant : "secondary";
    const size = SIZES.has(next.size) ? next.size : "lg";
    control.className = `porch-button porch-${variant} porch-size-${size}`;
    control.disabled = next.interactive === false;
    if ("porch_login" in next && !next.porch_login) {
      control.disabled = true; // the server names no issuer to sign in with
      control.title = "Signing in is not set up for this app.";
    }
  }
  render(props);

  return {
    update(next) {
      current = next;
      render(next);
    },
    value() { return current.value ?? null; },
    // Clearing an app's fields leaves a button's text alone.
    clear() {},
  };
}
