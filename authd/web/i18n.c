/* Message catalog of the web pages (English, French) and Accept-Language
 * negotiation. The file is UTF-8; French punctuation takes a no-break
 * space (U+00A0) before ";" and ":". */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "i18n.h"

static const char *const catalog[MSG__COUNT][I18N__COUNT] = {
    [MSG_SITE_NAME] = {"Sésame", "Sésame"},
    [MSG_TITLE_LOGIN] = {"Sign in", "Connexion"},
    [MSG_USERNAME] = {"User name", "Nom d’utilisateur"},
    [MSG_PASSWORD] = {"Password", "Mot de passe"},
    [MSG_SUBMIT_LOGIN] = {"Sign in", "Se connecter"},
    [MSG_TITLE_CODE] = {"Verification code", "Code de vérification"},
    [MSG_CODE_LABEL] = {"Code from your authenticator app",
			"Code de votre application d’authentification"},
    [MSG_SUBMIT_CODE] = {"Verify", "Vérifier"},
    [MSG_WRONG_PASSWORD] = {"Wrong user name or password.",
			    "Nom d’utilisateur ou mot de passe incorrect."},
    [MSG_WRONG_CODE] = {"Wrong verification code.", "Code de vérification incorrect."},
    [MSG_CODE_REUSED] = {"This verification code was already used; wait for the next one.",
			 "Ce code de vérification a déjà été utilisé ; attendez le suivant."},
    [MSG_LOCKED] = {"Too many failed attempts; try again in {} seconds.",
		    "Trop de tentatives échouées ; réessayez dans {} secondes."},
    [MSG_NO_FACTOR] = {"No second factor is enrolled for this account; ask your administrator.",
		       "Aucun second facteur n’est enregistré pour ce compte ; adressez-vous à "
		       "votre administrateur."},
    [MSG_DISABLED] = {"This account is disabled.", "Ce compte est désactivé."},
    [MSG_TITLE_ACCOUNT] = {"Your account", "Votre compte"},
    [MSG_TITLE_CONFIRM] = {"Confirm it is you", "Confirmez que c’est vous"},
    [MSG_REAUTH_INTRO] = {"For your security, enter your password again before you change how "
			  "you sign in.",
			  "Par sécurité, saisissez à nouveau votre mot de passe "
			  "avant de modifier vos moyens de connexion."},
    [MSG_SUBMIT_CONFIRM] = {"Confirm", "Confirmer"},
    [MSG_REAUTH_DONE] = {"Confirmed. You can now make your change.",
			 "C’est confirmé. Vous pouvez maintenant faire votre "
			 "modification."},
    [MSG_SIGNED_IN_AS] = {"Signed in as {}", "Connecté en tant que {}"},
    [MSG_FACTORS] = {"Second factors", "Seconds facteurs"},
    [MSG_FACTOR_TOTP] = {"Authenticator app (TOTP): {}",
			 "Application d’authentification (TOTP) : {}"},
    [MSG_NO_FACTORS] = {"None.", "Aucun."},
    [MSG_SIGN_OUT] = {"Sign out", "Se déconnecter"},
    [MSG_TITLE_ERROR] = {"Error", "Erreur"},
    [MSG_BAD_USERNAME] =
	{"The user name is empty, too long or contains characters that are not allowed.",
	 "Le nom d’utilisateur est vide, trop long ou contient des caractères non autorisés."},
    [MSG_BAD_FORM] = {"The form could not be read; reload the page and try again.",
		      "Le formulaire n’a pas pu être lu ; rechargez la page et réessayez."},
    [MSG_TOO_LARGE] = {"The form is larger than this site accepts.",
		       "Le formulaire dépasse la taille acceptée par ce site."},
    [MSG_FORBIDDEN] =
	{"This form has expired or did not come from this site; reload the page and try again.",
	 "Ce formulaire a expiré ou ne vient pas de ce site ; rechargez la page et réessayez."},
    [MSG_NOT_FOUND] = {"This page does not exist.", "Cette page n’existe pas."},
    [MSG_BAD_METHOD] = {"This page does not accept this kind of request.",
			"Cette page n’accepte pas ce type de requête."},
    [MSG_UNAVAILABLE] = {"The authentication service is unavailable; try again later.",
			 "Le service d’authentification est indisponible ; réessayez plus tard."},
    [MSG_BACK_TO_LOGIN] = {"Back to the sign-in page", "Retour à la page de connexion"},
    [MSG_PASSKEY_SIGN_IN] = {"Sign in with a passkey", "Se connecter avec une clé d’accès"},
    [MSG_PASSKEY_INSTEAD] = {"Use a passkey instead", "Utiliser plutôt une clé d’accès"},
    [MSG_PASSKEYS] = {"Passkeys", "Clés d’accès"},
    [MSG_PASSKEY_NAME] = {"Name of the passkey", "Nom de la clé d’accès"},
    [MSG_PASSKEY_ADD] = {"Add a passkey", "Ajouter une clé d’accès"},
    [MSG_PASSKEY_RENAME] = {"Rename", "Renommer"},
    [MSG_PASSKEY_REMOVE] = {"Remove", "Supprimer"},
    [MSG_PASSKEY_CREATED] = {"added {}", "ajoutée le {}"},
    [MSG_PASSKEY_LAST_USED] = {"last used {}", "dernière utilisation le {}"},
    [MSG_PASSKEY_NEVER_USED] = {"never used", "jamais utilisée"},
    [MSG_PASSKEY_FAILED] = {"The passkey could not be verified.",
			    "La clé d’accès n’a pas pu être vérifiée."},
    [MSG_PASSKEY_EXISTS] = {"This passkey is already registered.",
			    "Cette clé d’accès est déjà enregistrée."},
    [MSG_PASSKEY_LAST_FACTOR] = {"This is your last second factor; add another one before "
				 "removing it.",
				 "C’est votre dernier second facteur ; ajoutez-en un autre avant "
				 "de le supprimer."},
    [MSG_PASSKEY_BAD_NAME] = {"The name is empty, too long or not valid text.",
			      "Le nom est vide, trop long ou n’est pas un texte valide."},
    [MSG_TOTP_ADD] = {"Add an authenticator app", "Ajouter une application d’authentification"},
    [MSG_TOTP_NAME] = {"Name of the authenticator app", "Nom de l’application d’authentification"},
    [MSG_TOTP_SCAN] = {"Scan this code with your authenticator app, then enter the code it "
		       "shows to confirm it.",
		       "Scannez ce code avec votre application d’authentification, puis saisissez "
		       "le code qu’elle affiche pour la confirmer."},
    [MSG_TOTP_SHOW_KEY] = {"Show the key as text", "Afficher la clé en texte"},
    [MSG_TOTP_PENDING] = {"Waiting for confirmation: {}", "En attente de confirmation : {}"},
    [MSG_TOTP_CONFIRM] = {"Confirm", "Confirmer"},
    [MSG_TOTP_CONFIRMED] = {"The authenticator app was added.",
			    "L’application d’authentification a été ajoutée."},
    [MSG_TOTP_WRONG_CODE] = {"The code does not match the new authenticator app; check the "
			     "phone’s clock and try the next code.",
			     "Le code ne correspond pas à la nouvelle application "
			     "d’authentification ; vérifiez l’heure du téléphone et essayez le "
			     "code suivant."},
    [MSG_TOTP_NOTHING_PENDING] = {"No authenticator app is waiting for confirmation.",
				  "Aucune application d’authentification n’attend de "
				  "confirmation."},
    [MSG_TITLE_PASSWORD] = {"Change your password", "Changer de mot de passe"},
    [MSG_PASSWORD_CURRENT] = {"Current password", "Mot de passe actuel"},
    [MSG_PASSWORD_NEW] = {"New password", "Nouveau mot de passe"},
    [MSG_PASSWORD_AGAIN] = {"New password again", "Nouveau mot de passe, à nouveau"},
    [MSG_PASSWORD_SUBMIT] = {"Change the password", "Changer le mot de passe"},
    [MSG_PASSWORD_CHANGED] = {"Your password was changed.", "Votre mot de passe a été changé."},
    [MSG_PASSWORD_MISMATCH] = {"The two new passwords differ; nothing was changed.",
			       "Les deux nouveaux mots de passe diffèrent ; rien n’a été changé."},
    [MSG_PASSWORD_WRONG_CURRENT] = {"The current password is wrong; nothing was changed.",
				    "Le mot de passe actuel est incorrect ; rien n’a été changé."},
    [MSG_PASSWORD_REFUSED] = {"The password policy refused the new password; nothing was "
			      "changed. Its reasons:",
			      "La politique de mots de passe a refusé le nouveau mot de passe ; "
			      "rien n’a été changé. Ses raisons (en anglais) :"},
    [MSG_TITLE_INVITE] = {"Welcome", "Bienvenue"},
    [MSG_INVITE_WELCOME] = {"Choose the password of the account {}.",
			    "Choisissez le mot de passe du compte {}."},
    [MSG_INVITE_INVALID] = {"This invitation link is not valid: it was already used, it has "
			    "expired or it was replaced by a newer one. Ask your administrator "
			    "for a new link.",
			    "Ce lien d’invitation n’est pas valide : il a déjà servi, il a expiré "
			    "ou un lien plus récent l’a remplacé. Demandez un nouveau lien à votre "
			    "administrateur."},
    [MSG_INVITE_SUBMIT] = {"Set the password", "Définir le mot de passe"},
    [MSG_TITLE_ENROLL] = {"Set up your account", "Configurer votre compte"},
    [MSG_ENROLL_INTRO] = {"The password of {} is set. To finish, add a second factor: a passkey "
			  "or an authenticator app.",
			  "Le mot de passe de {} est défini. Pour terminer, ajoutez un second "
			  "facteur : une clé d’accès ou une application d’authentification."},
    [MSG_ENROLL_DONE] = {"Your account is ready.", "Votre compte est prêt."},
    [MSG_SLOW_DOWN] = {"Too many attempts from your network; wait a moment and try again.",
		       "Trop de tentatives depuis votre réseau ; patientez un instant puis "
		       "réessayez."},
    [MSG_CODE_OR_RECOVERY] = {"Lost your app? Use a recovery code",
			      "Application perdue ? Utiliser un code de secours"},
    [MSG_RECOVERY_LABEL] = {"One of your recovery codes", "L’un de vos codes de secours"},
    [MSG_RECOVERY_TITLE] = {"Recovery codes", "Codes de secours"},
    [MSG_RECOVERY_LEFT] = {"Recovery codes left: {}.", "Codes de secours restants : {}."},
    [MSG_RECOVERY_GENERATE] = {"Make new recovery codes", "Créer de nouveaux codes de secours"},
    [MSG_RECOVERY_SHOWN] = {"Your new recovery codes. Write them down or print them now: they "
			    "are not shown again, and your previous codes no longer work. Each "
			    "works once, in place of a code from your app.",
			    "Vos nouveaux codes de secours. Notez-les ou imprimez-les maintenant "
			    ": ils ne seront plus affichés, et vos anciens codes ne fonctionnent "
			    "plus. Chacun sert une fois, à la place d’un code de votre "
			    "application."},
    [MSG_HANDOFF_TITLE] = {"Approve a terminal login", "Approuver une connexion au terminal"},
    [MSG_HANDOFF_SIGN_IN] = {"Sign in with your passkey to approve a login you started at a "
			     "terminal.",
			     "Connectez-vous avec votre clé d’accès pour approuver une connexion "
			     "lancée depuis un terminal."},
    [MSG_HANDOFF_CODE_LABEL] = {"Code shown at the terminal", "Code affiché par le terminal"},
    [MSG_HANDOFF_CONTINUE] = {"Continue", "Continuer"},
    [MSG_HANDOFF_WRONG_CODE] = {"No login of yours is waiting with this code.",
				"Aucune connexion à votre nom n’attend avec ce code."},
    [MSG_HANDOFF_EXPIRED] = {"This request expired; start the login again.",
			     "Cette demande a expiré ; relancez la connexion."},
    [MSG_HANDOFF_DECIDED] = {"This request was already approved or denied.",
			     "Cette demande a déjà été approuvée ou refusée."},
    [MSG_HANDOFF_WARNING] = {"Approve only a login you just started yourself, at a terminal in "
			     "front of you. If someone asked you to approve it, deny it.",
			     "N’approuvez qu’une connexion que vous venez de lancer vous-même, "
			     "depuis un terminal devant vous. Si quelqu’un vous a demandé de "
			     "l’approuver, refusez-la."},
    [MSG_HANDOFF_OTHER_NETWORK] = {"Careful: this login comes from another network than yours.",
				   "Attention : cette connexion vient d’un autre réseau que le "
				   "vôtre."},
    [MSG_HANDOFF_USER] = {"User", "Utilisateur"},
    [MSG_HANDOFF_HOST] = {"Host", "Machine"},
    [MSG_HANDOFF_SERVICE] = {"Service", "Service"},
    [MSG_HANDOFF_CLIENT] = {"Client address", "Adresse du client"},
    [MSG_HANDOFF_TIME] = {"Started", "Commencée"},
    [MSG_HANDOFF_LOCAL] = {"(this machine)", "(cette machine)"},
    [MSG_HANDOFF_APPROVE] = {"Approve", "Approuver"},
    [MSG_HANDOFF_DENY] = {"Deny", "Refuser"},
    [MSG_HANDOFF_NUMBER] = {"Approved. Type this number at the terminal:",
			    "Approuvé. Saisissez ce nombre dans le terminal :"},
    [MSG_HANDOFF_DENIED] = {"Denied. The login at the terminal will fail.",
			    "Refusé. La connexion au terminal échouera."},
    [MSG_LOGINCODE_TITLE] = {"One-time login code", "Code de connexion à usage unique"},
    [MSG_LOGINCODE_OFFER] = {"Your terminal shows no link or QR code? Get a one-time code and "
			     "type it at its code prompt instead.",
			     "Votre terminal n’affiche ni lien ni QR code ? Obtenez un code à "
			     "usage unique et saisissez-le à l’invite du code."},
    [MSG_LOGINCODE_GET] = {"Get a one-time code", "Obtenir un code à usage unique"},
    [MSG_LOGINCODE_SHOWN] = {"Type this code at the terminal’s code prompt. It works once, "
			     "within {} minutes; asking for another one voids it.",
			     "Saisissez ce code à l’invite du terminal. Il sert une fois, dans "
			     "les {} minutes ; en demander un autre l’annule."},
    [MSG_PRIVACY] = {"Privacy notice", "Politique de confidentialité"},
    [MSG_LANGUAGE] = {"Language", "Langue"},
    [MSG_HOME] = {"{}, home", "{}, accueil"},
    [MSG_OIDC_BAD_CLIENT] = {"The application that sent you here is unknown, or asked to send "
			     "you back to an address it did not register.",
			     "L’application qui vous envoie ici est inconnue, ou demande à vous "
			     "renvoyer vers une adresse qu’elle n’a pas déclarée."},
    [MSG_OIDC_EXPIRED] = {"This sign-in request has expired; go back to the application and "
			  "try again.",
			  "Cette demande de connexion a expiré ; retournez à l’application et "
			  "recommencez."},
    [MSG_OIDC_LOGOUT_TITLE] = {"Sign out", "Déconnexion"},
    [MSG_OIDC_LOGOUT_ASK] = {"An application asks to sign you out of Sésame.",
			     "Une application demande à vous déconnecter de Sésame."},
    [MSG_OIDC_CONTINUE] = {"Continue to the application", "Continuer vers l’application"},
};

const char *i18n_get(i18n_lang_t lang, i18n_msg_t id)
{
	if ((unsigned)lang >= I18N__COUNT)
		lang = I18N_EN;
	if ((unsigned)id >= MSG__COUNT || catalog[id][lang] == NULL)
		return "";
	return catalog[id][lang];
}

const char *i18n_tag(i18n_lang_t lang)
{
	return lang == I18N_FR ? "fr" : "en";
}

const char *i18n_name(i18n_lang_t lang)
{
	return lang == I18N_FR ? "Français" : "English";
}

int i18n_from_tag(const char *tag, i18n_lang_t *out)
{
	if (tag == NULL)
		return -1;
	if (strcmp(tag, "en") == 0)
		*out = I18N_EN;
	else if (strcmp(tag, "fr") == 0)
		*out = I18N_FR;
	else
		return -1;
	return 0;
}

/* q-value "0", "0.5", "1.000" as thousandths; -1 when malformed. */
static int parse_q(const char *s, size_t n)
{
	int v = 0, scale = 1000;
	size_t i = 0;

	if (n == 0 || (s[0] != '0' && s[0] != '1'))
		return -1;
	v = (s[0] - '0') * 1000;
	i = 1;
	if (i < n) {
		if (s[i++] != '.' || n - i > 3)
			return -1;
		for (; i < n; i++) {
			if (s[i] < '0' || s[i] > '9')
				return -1;
			scale /= 10;
			v += (s[i] - '0') * scale;
		}
	}
	return v > 1000 ? -1 : v;
}

static void trim(const char **s, size_t *n)
{
	while (*n && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*n)--;
	}
	while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
		(*n)--;
}

i18n_lang_t i18n_negotiate(const char *h)
{
	int best_q = 0;
	i18n_lang_t best = I18N_EN;

	if (h == NULL || strlen(h) > 1024) /* a header that long is not a browser's */
		return I18N_EN;
	while (*h) {
		size_t n = strcspn(h, ","), tn;
		const char *item = h, *tag, *semi;
		int q = 1000;
		i18n_lang_t lang;

		h += n + (h[n] == ',');
		trim(&item, &n);
		if (n == 0)
			continue;
		semi = memchr(item, ';', n);
		tag = item;
		tn = semi ? (size_t)(semi - item) : n;
		trim(&tag, &tn);
		if (semi) {
			const char *p = semi + 1;
			size_t pn = n - (size_t)(p - item);
			trim(&p, &pn);
			if (pn < 2 || (p[0] != 'q' && p[0] != 'Q') || p[1] != '=')
				continue;
			if ((q = parse_q(p + 2, pn - 2)) < 0)
				continue;
		}
		size_t primary = strcspn(tag, "-");
		if (primary > tn)
			primary = tn;
		if (primary == 1 && tag[0] == '*')
			lang = I18N_EN;
		else if (primary == 2 && strncasecmp(tag, "en", 2) == 0)
			lang = I18N_EN;
		else if (primary == 2 && strncasecmp(tag, "fr", 2) == 0)
			lang = I18N_FR;
		else
			continue;
		if (q > best_q) {
			best_q = q;
			best = lang;
		}
	}
	return best;
}
