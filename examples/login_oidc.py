"""Sign in with any OpenID Connect issuer (docs/login-oidc.md).

    PORCH_OIDC_ISSUER=https://id.example.com/realms/main PORCH_OIDC_CLIENT_ID=my-app \
    PORCH_OIDC_CLIENT_SECRET=... python examples/login_oidc.py

Register http://127.0.0.1:7860/login/callback as the client's redirect URI at the issuer.
"""

import porch as gr


def hello(profile: gr.OAuthProfile | None) -> str:
    if profile is None:
        return "Hello, stranger. Sign in to be greeted by name."
    return f"Hello **{profile.name}** (`{profile.username}`)."


def token_info(token: gr.OAuthToken | None) -> str:
    if token is None:
        return "No access token: sign in first."
    return f"Your access token has scope `{token.scope}`."


def members_only(question: str, profile: gr.OAuthProfile) -> str:
    # Without `| None`: a signed-out call fails, asking the user to sign in.
    return f"{profile.username} asked: {question}"


with gr.Blocks(title="Sign in") as demo:
    gr.LoginButton()
    greeting = gr.Markdown()
    demo.load(hello, None, greeting)
    gr.Button("What may my token do?").click(token_info, None, greeting)
    question = gr.Textbox(label="Question for members")
    answer = gr.Textbox(label="Answer")
    question.submit(members_only, question, answer)

if __name__ == "__main__":
    demo.launch()
