package com.acme.shop.config;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.csrf.CookieCsrfTokenRepository;

/**
 * Security filter chains. The storefront, the merchant portal and the admin UI use
 * cookie-based sessions (form login); /api/** uses stateless bearer tokens.
 */
@Configuration
@EnableWebSecurity(debug = true) // VULN: debug-mode
public class SecurityConfig {

    @Bean
    @Order(1)
    public SecurityFilterChain apiChain(HttpSecurity http) throws Exception {
        http.securityMatcher("/api/**")
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .oauth2ResourceServer(o -> o.jwt(Customizer.withDefaults()))
                .authorizeHttpRequests(a -> a.anyRequest().authenticated());
        http.csrf(csrf -> csrf.disable()); // SAFE: csrf
        return http.build();
    }

    @Bean
    @Order(2)
    public SecurityFilterChain portalChain(HttpSecurity http) throws Exception {
        http.securityMatcher("/portal/**")
                .formLogin(f -> f.loginPage("/portal/login").permitAll())
                .authorizeHttpRequests(a -> a.anyRequest().hasRole("MERCHANT"))
                .csrf(AbstractHttpConfigurer::disable); // VULN: csrf
        return http.build();
    }

    @Bean
    @Order(3)
    public SecurityFilterChain adminChain(HttpSecurity http) throws Exception {
        http.securityMatcher("/admin/**")
                .formLogin(f -> f.loginPage("/admin/login").permitAll())
                .authorizeHttpRequests(a -> a.anyRequest().hasRole("ADMIN"))
                .csrf(csrf -> csrf.csrfTokenRepository(CookieCsrfTokenRepository.withHttpOnlyFalse())); // SAFE: csrf
        return http.build();
    }

    @Bean
    @Order(10)
    public SecurityFilterChain storefrontChain(HttpSecurity http) throws Exception {
        http.formLogin(f -> f.loginPage("/login").permitAll())
                .authorizeHttpRequests(a -> a
                        .requestMatchers("/", "/products/**", "/login", "/signin", "/webhooks/**").permitAll()
                        .anyRequest().authenticated())
                .csrf(csrf -> csrf.ignoringRequestMatchers("/webhooks/stripe", "/webhooks/carrier")); // SAFE: csrf
        return http.build();
    }
}

/** Legacy configuration still used by the WAR deployment of the checkout module. */
@Configuration
@EnableWebSecurity // SAFE: debug-mode
class CheckoutSecurityConfig {

    @Bean
    @Order(5)
    public SecurityFilterChain checkoutChain(HttpSecurity http) throws Exception {
        http.securityMatcher("/checkout/**")
                .formLogin(Customizer.withDefaults())
                .authorizeHttpRequests(a -> a.anyRequest().authenticated());
        http.csrf().disable(); // VULN: csrf
        return http.build();
    }

    @Bean
    @Order(6)
    public SecurityFilterChain accountChain(HttpSecurity http) throws Exception {
        http.securityMatcher("/account/**")
                .formLogin(Customizer.withDefaults())
                .authorizeHttpRequests(a -> a.anyRequest().authenticated())
                .csrf(csrf -> csrf.ignoringRequestMatchers("/account/**")); // VULN: csrf
        return http.build();
    }

    @Bean
    @Order(7)
    public SecurityFilterChain wishlistChain(HttpSecurity http) throws Exception {
        http.securityMatcher("/wishlist/**")
                .formLogin(Customizer.withDefaults())
                .authorizeHttpRequests(a -> a.anyRequest().authenticated())
                .csrf(Customizer.withDefaults()); // SAFE: csrf
        return http.build();
    }
}
