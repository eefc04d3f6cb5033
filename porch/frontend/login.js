// The login form shown when the app has auth on and the page has no valid cookie.

export function login(mount, url, message) {
  const form = document.createElement("form");
  form.className = "porch-login";
  const heading = form.appendChild(document.createElement("h1"));
  heading.textContent = "Log in";
  if (message) form.appendChild(document.createElement("p")).textContent = String(message);
  for (const [name, type, label] of [["username", "text", "Username"], ["password", "password", "Password"]]) {
    const l = form.appendChild(document.createElement("label"));
    l.className = "porch-label";
    l.htmlFor = `porch-login-${name}`;
    l.textContent = label;
    const input = form.appendChild(document.createElement("input"));
    input.className = "porch-input";
    input.id = l.htmlFor;
    input.name = name;
    input.type = type;
    input.required = true;
    input.autocomplete = name === "password" ? "current-password" : "username";
  }
  const error = form.appendChild(document.createElement("p"));
  error.className = "porch-login-error";
  error.setAttribute("role", "alert");
  const submit = form.appendChild(document.createElement("button"));
  submit.type = "submit";
  submit.className = "porch-button porch-primary porch-size-lg";
  submit.textContent = "Log in";
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    error.textContent = "";
    submit.disabled = true;
    try {
      const response = await fetch(url, {
        method: "POST",
        body: new URLSearchParams(new FormData(form)),
        credentials: "same-origin",
      });
      if (response.ok) {
        location.reload();
        return;
      }
      if (response.status === 429) {
        // The server says why (this user name, or this network address) and for how long.
        const wait = Number(response.headers.get("retry-after")) || 1;
        const body = await response.json().catch(() => ({}));
        error.textContent = typeof body?.detail === "string" ? body.detail
          : `Too many failed attempts. Try again in ${wait} s.`;
      } else {
        error.textContent = response.status === 400 || response.status === 401
          ? "Incorrect username or password." : `Login failed (${response.status}).`;
      }
    } catch (err) {
      error.textContent = `Could not reach the server (${err.message}).`;
    }
    submit.disabled = false;
  });
  mount.replaceChildren(form);
}

/** Log out by POST (the server refuses it cross-site; GET /logout logs nobody out), then
 * reload: the page comes back as the login form. A fetch, not a form submission: under the
 * page's no-referrer policy a submitted form says `Origin: null`, which the server refuses. */
export async function logOut(url = new URL("./logout", document.baseURI)) {
  const response = await fetch(url, { method: "POST", credentials: "same-origin", redirect: "manual" });
  // The answer is a redirect home (opaque to a manual fetch); anything else is an error.
  if (response.type !== "opaqueredirect" && !response.ok) {
    throw new Error(`Logging out failed (${response.status}).`);
  }
  location.reload();
}

/** Whether `href` is this app's own logout URL (a `link="/logout"` button, as in Gradio). */
export function isLogoutUrl(href) {
  const url = new URL(href, document.baseURI);
  const own = new URL("./logout", document.baseURI);
  return url.origin === own.origin && url.pathname === own.pathname;
}

/** The footer's "Log in" control, for an app whose login is optional (the app is public;
 * some of its events need a login). It shows the login form in place of the app. */
export function loginControl(config, mount, url) {
  const footer = document.querySelector(".porch-footer");
  if (!footer || !config.porch_login) return;
  const button = document.createElement("button");
  button.type = "button";
  button.className = "porch-login-offer";
  button.textContent = "Log in";
  button.addEventListener("click", () => {
    login(mount, url, config.porch_login_message ?? null);
    document.documentElement.dataset.porch = "login";
    mount.querySelector("input")?.focus();
  });
  footer.append(" · ", button);
}

/** The footer's "Log out" control, shown to a user logged in with a password. */
export function logoutControl(config) {
  const footer = document.querySelector(".porch-footer");
  if (!footer || !config.porch_logout) return;
  const button = document.createElement("button");
  button.type = "button";
  button.className = "porch-logout";
  button.textContent = "Log out";
  button.addEventListener("click", () => logOut());
  footer.append(" · ", button);
}
