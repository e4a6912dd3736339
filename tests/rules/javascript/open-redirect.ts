@Controller("sso")
export class SsoController {
  @Get("callback")
  @Redirect("/")
  callback(@Query("returnTo") returnTo: string) {
    // ruleid: js-open-redirect-server
    return { url: returnTo };
  }

  @Get("callback/v2")
  @Redirect("/")
  callbackV2(@Query("returnTo") returnTo: string) {
    const url = ALLOWED_RETURN.has(returnTo) ? returnTo : "/";
    // ok: js-open-redirect-server
    return { url };
  }

  @Get("track")
  track(@Query("carrierUrl") carrierUrl: string, @Res() res: Response) {
    // ruleid: js-open-redirect-server
    res.redirect(302, carrierUrl);
  }

  @Get("tenant")
  tenant(@Query("tenant") tenant: string, @Res() res: Response) {
    const slug = /^[a-z0-9-]{1,32}$/.test(tenant) ? tenant : "default";
    // ok: js-open-redirect-server
    res.redirect(`https://${slug}.app.example.com/home`);
  }
}
